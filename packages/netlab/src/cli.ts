#!/usr/bin/env -S npx tsx
// netlab: build the lab of LAB.md by hand, for demos and debugging.
//   netlab up                  build a lab that stays (origins with test files), print its name
//   netlab get NAME curl file-1M.bin
//   netlab exec NAME router -- iptables -S
//   netlab down NAME           remove it
//   netlab run                 one-shot: build, download with every client, print timings, tear down
//   netlab cleanup             remove leftovers of killed runs
import { Command, InvalidArgumentError } from "commander";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { Lab } from "./lab.ts";
import { cleanupSync, listNamespaces, listRuns, runIsLive, readState, teardownStateSync, ROLES, type Role } from "./state.ts";
import { startNginx, type HttpOrigin } from "./origins/nginx.ts";
import { startTftpd, type TftpOrigin } from "./origins/tftpd.ts";
import { CLIENTS, download, downloadFrom, isHttpClient, type ClientName, type DownloadResult } from "./clients.ts";
import { makeTestFiles, parseSize, type TestFile } from "./files.ts";
import { nsArgs } from "./proc.ts";

interface OriginInfo {
  kind: "nginx" | "tftpd-hpa";
  on: Role;
  address: string;
  port: number;
  root: string;
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};
const list = (v: string) => v.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
const role = (v: string): Role => {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${ROLES.join(", ")}`);
  return v as Role;
};
const clientName = (v: string): ClientName => {
  if (!(CLIENTS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown client "${v}": one of ${CLIENTS.join(", ")}`);
  return v as ClientName;
};
const clientList = (v: string): ClientName[] => list(v).map(clientName);
const sizeList = (v: string): string[] => {
  const sizes = list(v);
  for (const s of sizes) {
    try {
      parseSize(s);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message.replace(/^netlab: /, ""));
    }
  }
  return sizes;
};

async function startOrigins(lab: Lab, root: string, opts: { nginx: boolean; tftpd: boolean; local: boolean }) {
  const origins: (HttpOrigin | TftpOrigin)[] = [];
  for (const on of opts.local ? (["origin", "router"] as const) : (["origin"] as const)) {
    if (opts.nginx) origins.push(await startNginx(lab, { root, on }));
    if (opts.tftpd) origins.push(await startTftpd(lab, { root, on }));
  }
  return origins;
}

function originInfo(o: HttpOrigin | TftpOrigin): OriginInfo {
  return { kind: o.kind, on: o.on, address: o.address, port: o.port, root: o.root };
}

function describe(lab: Lab, origins: OriginInfo[], files: TestFile[]): string {
  const lines = [
    `lab ${lab.name}  (state and logs in ${lab.dir})`,
    `  client ${lab.ns.client}  ${lab.ifaces.client} ${lab.addr.client}/24`,
    `  router ${lab.ns.router}  ${lab.ifaces.routerClientSide} ${lab.addr.routerClientSide}/24, ${lab.ifaces.routerOriginSide} ${lab.addr.routerOriginSide}/24, ip_forward=1`,
    `  origin ${lab.ns.origin}  ${lab.ifaces.origin} ${lab.addr.origin}/24`,
  ];
  for (const o of origins) lines.push(`  ${o.kind} on ${o.on} at ${o.address}:${o.port} serving ${o.root}`);
  for (const f of files) lines.push(`  file ${f.name} ${f.size} bytes sha256 ${f.sha256}`);
  return lines.join("\n");
}

function printResult(r: DownloadResult, json: boolean): void {
  if (json) console.log(JSON.stringify(r));
  else console.log(`${r.client.padEnd(9)} ${r.target}  ${r.bytes} bytes  ${r.ms.toFixed(1)} ms  sha256 ${r.sha256}`);
}

const program = new Command("netlab")
  .description("Network namespaces (client -- router -- origin, 198.18.0.0/15), origins and clients for kcache. Needs root.")
  .showHelpAfterError();

program
  .command("up")
  .description("build a lab that stays after this command, start nginx and tftpd-hpa in the origin serving test files; prints its name")
  .option("--serve <dir>", "serve this directory instead of generated test files (must be world-readable)")
  .option("--sizes <list>", "sizes of generated test files, e.g. 1k,1M,32M", sizeList, ["1k", "1M"])
  .option("--no-nginx", "do not start nginx")
  .option("--no-tftpd", "do not start tftpd-hpa")
  .option("--local", "also start both origins on the router (the benchmark's local server)")
  .option("--json", "print the lab as JSON")
  .addHelpText("after", "\nExample:\n  netlab up --sizes 4k,32M --local")
  .action(async (opts: { serve?: string; sizes: string[]; nginx: boolean; tftpd: boolean; local?: boolean; json?: boolean }) => {
    const lab = Lab.create({ persistent: true });
    try {
      let root: string;
      let files: TestFile[] = [];
      if (opts.serve) root = resolve(opts.serve);
      else {
        root = lab.subdir("srv");
        files = makeTestFiles(root, opts.sizes);
      }
      const origins = (await startOrigins(lab, root, { nginx: opts.nginx, tftpd: opts.tftpd, local: opts.local ?? false })).map(originInfo);
      lab.setInfo({ origins, files });
      if (opts.json) console.log(JSON.stringify({ name: lab.name, ns: lab.ns, ifaces: lab.ifaces, addr: lab.addr, dir: lab.dir, origins, files }));
      else console.log(`${describe(lab, origins, files)}\n\nnext: netlab get ${lab.name} curl ${files[0]?.name ?? "FILE"}   |   netlab down ${lab.name}`);
    } catch (err) {
      lab.teardownSync();
      throw err;
    }
  });

program
  .command("down")
  .description("tear down labs made by `up` (or any run, by name): processes, namespaces, run directory")
  .argument("[names...]", "run names (kc-PID-ID)")
  .option("--all", "every run on this machine, live or not")
  .action((names: string[], opts: { all?: boolean }) => {
    if (opts.all) names = listRuns().map((r) => r.name);
    if (names.length === 0) throw new InvalidArgumentError("name a run (see `netlab list`) or pass --all");
    for (const name of names) {
      const state = readState(name);
      if (!state) {
        const r = cleanupSync({ name });
        if (r.namespaces.length === 0) throw new Error(`netlab: no run named ${name}`);
        console.log(`${name}: removed ${r.namespaces.length} namespaces (no state file)`);
        continue;
      }
      const r = teardownStateSync(state);
      console.log(`${name}: stopped ${r.pids.length} processes, removed ${r.namespaces.length} namespaces`);
    }
  });

program
  .command("cleanup")
  .description("remove leftovers of runs whose process is gone (killed tests): their processes (by PID), namespaces, directories")
  .option("--all", "also remove live runs and labs made by `up`")
  .action((opts: { all?: boolean }) => {
    const r = cleanupSync({ all: opts.all });
    console.log(`netlab cleanup: killed ${r.pids.length} processes, removed ${r.namespaces.length} namespaces and ${r.dirs.length} run directories`);
    for (const ns of r.namespaces) console.log(`  ${ns}`);
  });

program
  .command("list")
  .description("list runs and their namespaces")
  .action(() => {
    const namespaces = listNamespaces();
    const runs = listRuns();
    if (runs.length === 0) console.log("no netlab runs");
    for (const run of runs) {
      const live = runIsLive(run) ? (run.persistent ? "up" : `owned by pid ${run.ownerPid}`) : "dead (netlab cleanup removes it)";
      const present = run.namespaces.filter((n) => namespaces.includes(n)).length;
      console.log(`${run.name}  ${live}  ${present}/3 namespaces  ${run.pids.length} processes started  ${run.created}`);
    }
  });

program
  .command("exec")
  .description("run a command in a namespace of a lab")
  .argument("<name>", "run name")
  .argument("<role>", "client, router or origin", role)
  .argument("<command...>", "command and arguments (put -- before options of the command)")
  .addHelpText("after", "\nExample:\n  netlab exec kc-123-abc123 router -- ip -br addr")
  .action((name: string, r: Role, command: string[]) => {
    const lab = Lab.open(name);
    const [cmd, args] = nsArgs(lab.ns[r], command[0], command.slice(1));
    const res = spawnSync(cmd, args, { stdio: "inherit" });
    process.exitCode = res.status ?? 1;
  });

program
  .command("get")
  .description("download a file from a lab's origin with one client, check it, print wall time and sha256")
  .argument("<name>", "run name")
  .argument("<client>", CLIENTS.join(", "), clientName)
  .argument("<file>", "file name on the origin")
  .option("--from <role>", "origin (default) or router (the local server of `up --local`)", role, "origin")
  .option("--blksize <n>", "TFTP block size (atftp, curl-tftp, npm-tftp)", int("--blksize"))
  .option("--windowsize <n>", "TFTP window size (atftp, npm-tftp)", int("--windowsize"))
  .option("--timeout <ms>", "fail after this long", int("--timeout"), 30_000)
  .option("--json", "print the result as JSON")
  .addHelpText("after", "\nExample:\n  netlab get kc-123-abc123 atftp file-1M.bin --blksize 1468")
  .action(async (name: string, client: ClientName, file: string, opts: { from: Role; blksize?: number; windowsize?: number; timeout: number; json?: boolean }) => {
    const lab = Lab.open(name);
    const origins = (lab.info.origins ?? []) as OriginInfo[];
    const kind = isHttpClient(client) ? "nginx" : "tftpd-hpa";
    const origin = origins.find((o) => o.kind === kind && o.on === opts.from);
    if (!origin) throw new Error(`netlab: ${name} has no ${kind} on ${opts.from}`);
    const files = (lab.info.files ?? []) as TestFile[];
    const expect = files.find((f) => f.name === file)?.sha256;
    const common = { blksize: opts.blksize, windowsize: opts.windowsize, timeoutMs: opts.timeout, expectSha256: expect };
    const hostPort = origin.port === 80 ? origin.address : `${origin.address}:${origin.port}`;
    const r = kind === "nginx"
      ? await download(lab, { ...common, client, url: `http://${hostPort}/${file}` })
      : await download(lab, { ...common, client, host: origin.address, port: origin.port, file });
    printResult(r, opts.json ?? false);
  });

program
  .command("run")
  .description("one-shot: build a lab, start the origins, download every file with every client, print timings, tear down")
  .option("--clients <list>", `clients to run (${CLIENTS.join(",")})`, clientList, [...CLIENTS])
  .option("--sizes <list>", "file sizes", sizeList, ["1k", "1M"])
  .option("--repeat <n>", "downloads per client and file", int("--repeat"), 1)
  .option("--local", "download from origins on the router instead (the benchmark's local server)")
  .option("--blksize <n>", "TFTP block size for clients that have the option", int("--blksize"))
  .option("--windowsize <n>", "TFTP window size for clients that have the option", int("--windowsize"))
  .option("--json", "print one JSON line per download")
  .addHelpText("after", "\nExample:\n  netlab run --clients wget,atftp --sizes 32M --repeat 5 --blksize 1468")
  .action(async (opts: { clients: ClientName[]; sizes: string[]; repeat: number; local?: boolean; blksize?: number; windowsize?: number; json?: boolean }) => {
    const clients = opts.clients;
    const lab = Lab.create();
    try {
      const root = lab.subdir("srv");
      const files = makeTestFiles(root, opts.sizes);
      const origins = await startOrigins(lab, root, { nginx: clients.some(isHttpClient), tftpd: clients.some((c) => !isHttpClient(c)), local: opts.local ?? false });
      const on: Role = opts.local ? "router" : "origin";
      if (!opts.json) console.log(describe(lab, origins.map(originInfo), files));
      for (const client of clients) {
        const origin = origins.find((o) => o.on === on && (o.kind === "nginx") === isHttpClient(client))!;
        const blksize = client === "atftp" || client === "curl-tftp" || client === "npm-tftp" ? opts.blksize : undefined;
        const windowsize = client === "atftp" || client === "npm-tftp" ? opts.windowsize : undefined;
        for (const f of files) {
          const times: number[] = [];
          for (let i = 0; i < opts.repeat; i++) {
            const r = await downloadFrom(lab, origin, client, f.name, { blksize, windowsize, expectSha256: f.sha256 });
            times.push(r.ms);
            if (opts.json) printResult(r, true);
          }
          if (!opts.json) {
            const mean = times.reduce((a, b) => a + b, 0) / times.length;
            console.log(`${client.padEnd(9)} ${f.name.padEnd(14)} mean ${mean.toFixed(1)} ms  min ${Math.min(...times).toFixed(1)}  max ${Math.max(...times).toFixed(1)}  (${times.length}x, sha256 ok)`);
          }
        }
      }
    } finally {
      lab.teardownSync();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
