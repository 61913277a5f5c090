// A control socket per network namespace: `kmod run` answers on it with its
// stats as JSON, and `kmod stats` (run in the same namespace) reads them.
import { mkdirSync, readlinkSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";

const DIRECTORY = "/run/kcache";

/** The socket path of this process's network namespace. */
export function controlPath(): string {
  const netns = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/net"))?.[1] ?? "default";
  return `${DIRECTORY}/kmod-${netns}.sock`;
}

export function serveStats(snapshot: () => unknown): Server {
  const path = controlPath();
  mkdirSync(DIRECTORY, { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    socket.end(`${JSON.stringify(snapshot())}\n`);
  });
  server.listen(path); // keeps the process alive until a signal stops it
  return server;
}

export function closeStats(server: Server): void {
  server.close();
  rmSync(controlPath(), { force: true });
}

export function readStats(timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlPath());
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("kmod did not answer"));
    }, timeoutMs);
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error("kmod sent something that is not JSON"));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code === "ENOENT" || error.code === "ECONNREFUSED" ? "no kmod is running in this network namespace" : error.message));
    });
  });
}
