// A control socket per network namespace: `kmod run` answers commands on it
// (a line: "stats", "reload" or "call STATE:FUNCTION[:JSON]") with JSON;
// `kmod stats`, `kmod reload` and `kmod call`, run in the same namespace, send them.
import { mkdirSync, readlinkSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";

const DIRECTORY = "/run/kcache";

/** The socket path of this process's network namespace. */
export function controlPath(): string {
  const netns = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/net"))?.[1] ?? "default";
  return `${DIRECTORY}/kmod-${netns}.sock`;
}

/** A command gets the rest of its line (after the first space). */
export type Commands = Record<string, (argument: string) => unknown>;

export function serveControl(commands: Commands): Server {
  const path = controlPath();
  mkdirSync(DIRECTORY, { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
      const end = text.indexOf("\n");
      if (end < 0) return;
      const line = text.slice(0, end).trim();
      const space = line.indexOf(" ");
      const name = space < 0 ? line : line.slice(0, space);
      const command = commands[name];
      socket.end(`${JSON.stringify(command ? command(space < 0 ? "" : line.slice(space + 1)) : { error: `unknown command '${name}'` })}\n`);
    });
    socket.on("error", () => socket.destroy());
  });
  server.listen(path); // keeps the process alive until a signal stops it
  return server;
}

export function closeStats(server: Server): void {
  server.close();
  rmSync(controlPath(), { force: true });
}

export function request(command: string, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlPath(), () => socket.write(`${command}\n`));
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
