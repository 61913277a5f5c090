// Loads the N-API addon built by `nx run kmod:build-native` (make -C native).
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ADDON_PATH = fileURLToPath(new URL("../build/kcache.node", import.meta.url));

export type Handle = { readonly __engine: unique symbol };

export interface NativeRuleStats {
  id: number;
  name: string;
  state: number;
  packets: number;
  verdicts: number[];
  errors: number;
  instructionAborts: number;
  timeAborts: number;
  memoryAborts: number;
  badReturns: number;
  luaNs: number;
}

export interface StoreStats {
  entries: number;
  bytes: number;
  budget: number;
  maxEntry: number;
  hits: number;
  misses: number;
  evictions: number;
  rejected: number;
  expired: number;
  abandoned: number;
}

export interface NfqueueStats {
  received: number;
  verdicts: number;
  verdictBatches: number;
  modified: number;
  held: number;
  released: number;
  sent: number;
  enobufs: number;
  receiveErrors: number;
  sendErrors: number;
  malformed: number;
  /** Packets that came whole as GSO packets (up to 64 KiB). */
  gso: number;
  /** TCP/UDP checksums the kernel had left to offload, completed before scripts saw them. */
  checksumsCompleted: number;
  /** Packets longer than the queue copies, given the rule's fail verdict. */
  truncated: number;
  /** Waits for a reply that spun (--busy-poll) instead of sleeping, and of those the ones a packet ended. */
  busyPolls: number;
  busyPollHits: number;
}

export interface NativeNfqueueOptions {
  queueMaxlen?: number;
  receiveBuffer?: number;
  failOpen?: boolean;
  /** The kernel cuts GSO packets to MTU size before queueing (default false: they come whole). */
  segmentGso?: boolean;
  /** After each batch, poll without sleeping this many µs before blocking (0: off). */
  busyPollUs?: number;
  continueMark?: number;
  sentMark?: number;
  logToStderr?: boolean;
}

export interface NativeAddon {
  simCreate(seed: number, logToStderr: boolean): Handle;
  close(h: Handle): void;
  insertRule(h: Handle, spec: object): number;
  deleteRule(h: Handle, id: number): boolean;
  loadScript(h: Handle, state: number, path: string): void;
  unloadScript(h: Handle, state: number, path: string): boolean;
  setBudgets(h: Handle, state: number, instructions: number, memory: number, timeUs: number): void;
  inject(h: Handle, hook: number, packet: Uint8Array, indev: number, outdev: number, hwaddr: Uint8Array | undefined, checksumPartial: boolean): {
    verdict: number; held: boolean; modified: boolean; packet: Buffer;
  };
  advanceUs(h: Handle, us: number): void;
  nowUs(h: Handle): number;
  takeSent(h: Handle): Buffer[];
  takeReleased(h: Handle): { verdict: number; packet: Buffer }[];
  takeLogs(h: Handle): string[];
  stats(h: Handle): NativeRuleStats[];
  counters(h: Handle): Record<string, number>;
  call(h: Handle, state: number, context: number, name: string, args: unknown[]): unknown[];
  storeConfigure(h: Handle, budgetBytes: number, maxEntryBytes: number): void;
  storeStats(h: Handle): StoreStats;
  nfqCreate(options: NativeNfqueueOptions): Handle;
  nfqStart(h: Handle): void;
  nfqStats(h: Handle): NfqueueStats;
}

let addon: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (addon) return addon;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`kcache engine not built: ${ADDON_PATH} is missing (run: npx nx run kmod:build-native)`);
  }
  addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  return addon;
}
