// tcp-stack in the router's packet path, run by the kmod CLI the way a user
// would: one bundle, one Lua state, two rules at PREROUTING (before the
// router's own TCP could see a segment the stack owns, so its kernel never
// answers with a reset):
// - TCP to the server's address/port, and TCP from the origin's HTTP port to
//   the client's local ports, go to tcp_bench_hook;
// - UDP datagrams to the trigger port go to tcp_bench_trigger (a fetch).
// The stack's own segments leave through kmod.send (a raw socket).
import { fileURLToPath } from "node:url";
import { ADDR, sleep, startKmod, type Lab, type RunningKmod } from "@kcache/netlab";
export const TCP_STACK_BUNDLE = fileURLToPath(new URL("../../../packages/tcp-stack/dist/tcp-stack.lua", import.meta.url));

/**
 * The tcp-stack file server, on the router's own client-side address: on
 * `port` one MSS per kmod.send, on `gsoPort` 64 KiB units through
 * kmod.send_gso (the kernel cuts them: segmentation offload).
 */
export const STACK_SERVER = { address: ADDR.routerClientSide, port: 8080, gsoPort: 8081 } as const;
/** Offload units of the gsoPort server: 64 KiB, rounded down to whole segments by the stack. */
export const OFFLOAD_BYTES = 65536;
/** Where fetch triggers go (UDP), and the client connections' local ports. */
export const TRIGGER_PORT = 9999;
export const CLIENT_PORTS = [40000, 40999] as const;

export interface StackOptions {
  /** Socket settings (tcp-stack's TcpConfig fields). */
  config?: Record<string, number | boolean | string>;
}

/** The `kmod run` arguments of tcp-stack in the router. */
export function stackKmodArgs(options: StackOptions = {}): string[] {
  const start = {
    serverAddr: STACK_SERVER.address, clientPortBase: CLIENT_PORTS[0], config: options.config ?? {},
    servers: [{ port: STACK_SERVER.port }, { port: STACK_SERVER.gsoPort, config: { segmentOffloadBytes: OFFLOAD_BYTES } }],
  };
  const rule = (matches: string[], fn: string) => ["-A", "PREROUTING", ...matches, "-j", "LUA", "--script", TCP_STACK_BUNDLE, "--function", fn];
  return [
    "--call", `0:tcp_bench_start:${JSON.stringify(start)}`,
    ...rule(["-p", "tcp", "-d", STACK_SERVER.address, "--dport", `${STACK_SERVER.port}:${STACK_SERVER.gsoPort}`], "tcp_bench_hook"),
    ...rule(["-p", "tcp", "-s", ADDR.origin, "--sport", "80", "-d", ADDR.routerOriginSide, "--dport", CLIENT_PORTS.join(":")], "tcp_bench_hook"),
    ...rule(["-p", "udp", "-d", ADDR.routerClientSide, "--dport", String(TRIGGER_PORT)], "tcp_bench_trigger"),
  ];
}

export interface Fetched {
  id: string;
  ok: boolean;
  status: number;
  bytes: number;
  expected: number;
  mismatchAt: number;
  end: string;
  /** Time from the SYN to the origin's FIN, in the engine's clock. */
  us: number;
  retransmits: number;
  line: string;
}

export interface RunningStack extends RunningKmod {
  /** Makes tcp-stack fetch /gen-<size>.bin from nginx on the origin; resolves with its checked outcome. */
  fetch(size: number, timeoutMs?: number): Promise<Fetched>;
}

let fetches = 0;

export async function startStack(lab: Lab, options: StackOptions = {}): Promise<RunningStack> {
  const kmod = await startKmod(lab, stackKmodArgs(options));
  const fetch = async (size: number, timeoutMs = 30_000): Promise<Fetched> => {
    const id = `f${++fetches}`;
    const request = `GET ${ADDR.routerOriginSide} ${ADDR.origin} 80 /gen-${size}.bin ${id}`;
    // The trigger is one datagram from the client namespace (bash's /dev/udp).
    const sent = await lab.exec("client", "bash", ["-c", `printf '%s' "$1" > /dev/udp/${ADDR.routerClientSide}/${TRIGGER_PORT}`, "trigger", request]);
    if (sent.code !== 0) throw new Error(`trigger: ${sent.stderr.trim()}`);
    const pattern = new RegExp(`tcp-bench: fetched id=${id} .*`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(kmod.output());
      if (m) return parseFetched(m[0]);
      if (Date.now() > deadline) throw new Error(`tcp-stack fetch ${id} (${size} bytes) did not finish within ${timeoutMs} ms`);
      await sleep(20);
    }
  };
  return { ...kmod, fetch };
}

function parseFetched(line: string): Fetched {
  const field = (name: string): string => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? "";
  return {
    id: field("id"), ok: field("ok") === "true", status: Number(field("status")), bytes: Number(field("bytes")),
    expected: Number(field("expected")), mismatchAt: Number(field("mismatch_at")), end: field("end"), us: Number(field("us")),
    retransmits: Number(field("retransmits")), line,
  };
}
