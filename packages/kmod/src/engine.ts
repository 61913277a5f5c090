// The engine as TypeScript sees it: create one, insert rules, feed packets
// (sim backend), move the virtual clock, call Lua, read stats.
import { resolve } from "node:path";
import {
  loadAddon, type Handle, type NativeAddon, type NativeNfqueueOptions, type NativeRuleStats, type NfqueueStats, type StoreStats,
} from "./native.ts";
import { FAIL_VERDICTS, hookNumber, VERDICT_NAMES, type FailVerdict, type HookName } from "./verdicts.ts";

const PROTOCOLS = { icmp: 1, tcp: 6, udp: 17 } as const;

export interface RuleMatch {
  protocol?: keyof typeof PROTOCOLS | number;
  /** A port or an inclusive range [min, max]. */
  sport?: number | [number, number];
  dport?: number | [number, number];
  /** Address or CIDR, e.g. "198.18.2.0/24". */
  src?: string;
  dst?: string;
}

export interface RuleSpec {
  hook: HookName;
  /** nfqueue backend: the NFQUEUE number whose packets this rule gets. */
  queue?: number;
  script: string;
  function?: string;
  state?: number;
  failVerdict?: FailVerdict;
  name?: string;
  match?: RuleMatch;
}

export interface Budgets {
  /**
   * Lua instructions per call (hook, timer, call), counted by a hook on every
   * instruction: deterministic but slower; it replaces the time budget. 0 goes back to the time budget.
   */
  instructions?: number;
  /** CPU time per call, enforced by a watchdog at no per-instruction cost (default 50 ms). */
  timeMs?: number;
  /** Bytes of Lua memory per context (default 64 MiB). */
  memoryBytes?: number;
}

/** What the kernel reports beside a packet it queues. */
export interface InjectMeta {
  indev?: number;
  outdev?: number;
  hwaddr?: Uint8Array;
  checksumPartial?: boolean;
}

export interface InjectResult {
  verdict: number;
  /** The bytes that go on: the packet as the scripts left it. */
  packet: Buffer;
  modified: boolean;
  held: boolean;
}

export interface RuleStats extends Omit<NativeRuleStats, "verdicts"> {
  verdicts: Record<(typeof VERDICT_NAMES)[number], number>;
}

export interface SimOptions {
  /** Seed of kmod.random32 (deterministic per seed). */
  seed?: number;
  /** Also print engine log lines to stderr. */
  logToStderr?: boolean;
}

export type LuaContext = "interrupt" | "process";

/** Options of the nfqueue backend (the real packet path; needs root). */
export type NfqueueOptions = NativeNfqueueOptions;

function portRange(port: number | [number, number] | undefined, what: string): [number, number] | undefined {
  if (port === undefined) return undefined;
  const [min, max] = typeof port === "number" ? [port, port] : port;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max > 65535 || min > max) {
    throw new Error(`rule: bad ${what} ${JSON.stringify(port)}`);
  }
  return [min, max];
}

function nativeMatch(match: RuleMatch | undefined): object | undefined {
  if (!match) return undefined;
  const protocol = typeof match.protocol === "string" ? PROTOCOLS[match.protocol] : match.protocol;
  if (match.protocol !== undefined && (protocol === undefined || !Number.isInteger(protocol))) {
    throw new Error(`rule: unknown protocol ${String(match.protocol)}`);
  }
  const sport = portRange(match.sport, "source port");
  const dport = portRange(match.dport, "destination port");
  return {
    protocol,
    sportMin: sport?.[0], sportMax: sport?.[1],
    dportMin: dport?.[0], dportMax: dport?.[1],
    src: match.src, dst: match.dst,
  };
}

export class Engine {
  readonly #addon: NativeAddon;
  #handle: Handle | undefined;

  private constructor(addon: NativeAddon, handle: Handle) {
    this.#addon = addon;
    this.#handle = handle;
  }

  /** An engine on the simulated wire, with a virtual clock starting at 0. */
  static sim(options: SimOptions = {}): Engine {
    const addon = loadAddon();
    return new Engine(addon, addon.simCreate(options.seed ?? 1, options.logToStderr ?? false));
  }

  /**
   * An engine on the real packet path: rules get packets from their NFQUEUE
   * number (`RuleSpec.queue`); `start()` binds the queues and starts the
   * packet thread. Installing the iptables rules is the CLI's job.
   */
  static nfqueue(options: NfqueueOptions = {}): Engine {
    const addon = loadAddon();
    return new Engine(addon, addon.nfqCreate(options));
  }

  /** nfqueue backend: binds the rules' queues and starts the packet thread. */
  start(): void {
    this.#addon.nfqStart(this.#h);
  }

  /** nfqueue backend: packets received, verdicts sent, errors. */
  nfqueueStats(): NfqueueStats {
    return this.#addon.nfqStats(this.#h);
  }

  get #h(): Handle {
    if (!this.#handle) throw new Error("engine is closed");
    return this.#handle;
  }

  /** Inserts a rule; loads its script into the state first. Throws with file and line on a bad script. */
  insertRule(spec: RuleSpec): number {
    const failVerdict = FAIL_VERDICTS[spec.failVerdict ?? "drop"];
    if (failVerdict === undefined) throw new Error(`rule: fail verdict must be "drop" or "accept"`);
    hookNumber(spec.hook);
    return this.#addon.insertRule(this.#h, {
      name: spec.name,
      hook: spec.hook,
      script: resolve(spec.script),
      function: spec.function,
      state: spec.state ?? 0,
      failVerdict,
      queue: spec.queue,
      match: nativeMatch(spec.match),
    });
  }

  deleteRule(id: number): boolean {
    return this.#addon.deleteRule(this.#h, id);
  }

  /** Loads a bundle into both contexts of a state (counted like a rule: unloadScript drops it). */
  loadScript(state: number, path: string): void {
    this.#addon.loadScript(this.#h, state, resolve(path));
  }

  unloadScript(state: number, path: string): boolean {
    return this.#addon.unloadScript(this.#h, state, resolve(path));
  }

  setBudgets(state: number, budgets: Budgets): void {
    this.#addon.setBudgets(this.#h, state, budgets.instructions ?? -1, budgets.memoryBytes ?? 0, Math.round((budgets.timeMs ?? 0) * 1000));
  }

  /**
   * Runs the hook's rules on an IPv4 packet, with what the kernel would report
   * beside it. `checksumPartial`: the TCP/UDP checksum field holds only the
   * pseudo-header sum (the kernel left it to offload); the engine completes it
   * before scripts see the packet, and an unmodified packet goes on as it came.
   */
  inject(hook: HookName, packet: Uint8Array, meta: InjectMeta = {}): InjectResult {
    return this.#addon.inject(this.#h, hookNumber(hook), packet, meta.indev ?? 0, meta.outdev ?? 0, meta.hwaddr, meta.checksumPartial ?? false);
  }

  /** Moves the virtual clock forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    this.advanceUs(Math.round(ms * 1000));
  }

  advanceUs(us: number): void {
    this.#addon.advanceUs(this.#h, us);
  }

  /** The virtual clock in µs. */
  nowUs(): number {
    return this.#addon.nowUs(this.#h);
  }

  /** Packets scripts sent (kmod.send) since the last call. */
  takeSent(): Buffer[] {
    return this.#addon.takeSent(this.#h);
  }

  /** Held packets released (kmod.release) since the last call, with their verdicts. */
  takeReleased(): { verdict: number; packet: Buffer }[] {
    return this.#addon.takeReleased(this.#h);
  }

  /** Engine log lines (script errors with tracebacks, kmod.log) since the last call. */
  takeLogs(): string[] {
    return this.#addon.takeLogs(this.#h);
  }

  stats(): RuleStats[] {
    return this.#addon.stats(this.#h).map((s) => ({
      ...s,
      verdicts: Object.fromEntries(VERDICT_NAMES.map((name, i) => [name, s.verdicts[i] ?? 0])) as RuleStats["verdicts"],
    }));
  }

  /** Engine-wide counters: sends, releases, held packets, pending timers, live states. */
  counters(): Record<string, number> {
    return this.#addon.counters(this.#h);
  }

  /**
   * Calls a Lua function (exported by a loaded bundle, or global) and returns all its results.
   * Strings cross as byte strings (one char per byte); numbers must be integers.
   */
  call(state: number, name: string, args: unknown[] = [], options: { context?: LuaContext } = {}): unknown[] {
    return this.#addon.call(this.#h, state, options.context === "process" ? 1 : 0, name, args);
  }

  /** Sets the content store's byte budget and largest entry (0 keeps a value); evicts to fit. */
  configureStore(options: { budgetBytes?: number; maxEntryBytes?: number }): void {
    this.#addon.storeConfigure(this.#h, options.budgetBytes ?? 0, options.maxEntryBytes ?? 0);
  }

  storeStats(): StoreStats {
    return this.#addon.storeStats(this.#h);
  }

  close(): void {
    if (this.#handle) this.#addon.close(this.#handle);
    this.#handle = undefined;
  }
}
