// Shared helpers: an engine with lua-std and the probe loaded, Lua snippets
// run in its interrupt context, packet fixtures and checksum checks.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Engine, fold16, sum16 } from "@kcache/kmod";

const root = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = `${root}dist/lua-std.lua`;
export const PROBE = `${root}test/support/probe.lua`;
export const LISTINGS = `${root}test/listings`;

export interface StdEngineOptions {
  /** Present an Ethernet header in front of packets (the rule option of lua-std). */
  linkLayer?: boolean;
  smac?: string;
  dmac?: string;
}

/** A sim engine whose state 0 has lua-std and the test probe loaded. */
export function stdEngine(options: StdEngineOptions = {}): Engine {
  const engine = Engine.sim({ seed: 1 });
  engine.loadScript(0, BUNDLE);
  engine.loadScript(0, PROBE);
  if (options.linkLayer) engine.call(0, "packetscript_link_layer", [true, options.smac ?? null, options.dmac ?? null]);
  return engine;
}

/** Runs a Lua chunk in state 0 (interrupt context) with `...` = args; returns its results. */
export function lua(engine: Engine, source: string, ...args: unknown[]): unknown[] {
  return engine.call(0, "probe_run", [source, ...args]);
}

/** Bytes from hex with spaces allowed. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** A Lua string result as bytes. */
export function bin(value: unknown): Buffer {
  return Buffer.from(value as string, "latin1");
}

const captured = JSON.parse(readFileSync(`${root}test/fixtures/captured.json`, "utf8")) as Record<string, string>;

/** A frame captured with tcpdump (test/fixtures), with its Ethernet header. */
export function frame(name: string): Buffer {
  const text = captured[name];
  if (!text) throw new Error(`no captured frame ${name}`);
  return Buffer.from(text, "hex");
}

/** The IPv4 packet of a captured frame (what NFQUEUE gives: no link-layer header). */
export function packet(name: string): Buffer {
  return frame(name).subarray(14);
}

/** True when the IPv4 header checksum of `ip` is valid. */
export function ipChecksumOk(ip: Uint8Array): boolean {
  const ihl = (ip[0]! & 0x0f) * 4;
  return fold16(sum16(ip.subarray(0, ihl))) === 0;
}

/** True when the TCP, UDP or ICMP checksum of the IPv4 packet `ip` is valid. */
export function transportChecksumOk(ip: Uint8Array): boolean {
  const ihl = (ip[0]! & 0x0f) * 4;
  const total = (ip[2]! << 8) | ip[3]!;
  const segment = ip.subarray(ihl, total);
  const protocol = ip[9]!;
  if (protocol === 1) return fold16(sum16(segment)) === 0;
  const pseudo = Buffer.alloc(12);
  Buffer.from(ip.subarray(12, 20)).copy(pseudo, 0);
  pseudo[9] = protocol;
  pseudo.writeUInt16BE(segment.length, 10);
  return fold16(sum16(segment, sum16(pseudo))) === 0;
}

/** Dotted-quad text of 4 bytes at `offset`. */
export function ipAt(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join(".");
}
