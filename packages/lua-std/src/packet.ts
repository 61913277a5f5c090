// PacketScript's packet object: lua-std adds `raw`, `get`, `set`, `data`,
// `get_offset`, `get_size` and `to_bytes` to the engine's kmod.Packet, so
// `process_packet(p)` receives the thesis' raw object.
//
// The raw object of a packet is a root segment (with the link-layer
// presentation on, a LinkLayerRoot). Roots are reused: the root of a
// released packet is rebound to the next packet under a new generation,
// which retires the old packet's segments (lifetime.ts). A script may hold
// several packets at once (p:hold()): each live packet keeps its root.

import { makeRaw, type ProtocolBuffer, type ProtocolSegment, type RawSegment } from "./core";
import type { PacketRoot } from "./lifetime";
import { bindLinkLayerRoot, type LinkLayerRoot, newLinkLayerRoot, setPresentedAddresses } from "./link-layer";
import { parseMac } from "./util";

declare global {
  /** PacketScript's raw object methods, added to the engine's packet by lua-std. */
  interface Packet {
    /** A raw segment of `length` bytes at `offset`, or false when it does not fit. */
    raw(offset: number, length: number): RawSegment | false;
    /** The packet's bytes as a byte array (zero copy; a copy with the link-layer presentation on). */
    get(): Bytes;
    /** A byte fills the packet; a string or byte array is copied to its start. */
    set(value: number | string | Bytes): void;
    /** The packet as a segment of protocol `proto` (the raw policy always agrees), false when malformed. */
    data<T extends ProtocolSegment>(proto: ProtocolBuffer<T>): T | false;
    get_offset(): number;
    get_size(): number;
    to_bytes(): Bytes;
  }
}

/** A packet's raw object and the packet it is bound to. */
type Root = RawSegment & PacketRoot & { handle?: Packet };

let presentLinkLayer = false;
/** Roots kept for reuse; beyond this many live packets at once, a root is made per packet. */
const MAX_ROOTS = 8;
let roots: Root[] = [];
/** Bumped for every packet a root is bound to. */
let generation = 0;
// The packet being processed and its root: every method call of a hook asks for it.
let lastPacket: Packet | undefined;
let lastRoot: Root | undefined;

function newRoot(): Root {
  if (presentLinkLayer) return newLinkLayerRoot() as Root;
  const root = makeRaw(kmod.bytes(0), 0, 0, 0) as Root;
  root.root = root;
  return root;
}

function bind(root: Root, p: Packet): void {
  generation++;
  const view = p.bytes();
  const length = view.len();
  root.handle = p;
  if (presentLinkLayer) {
    bindLinkLayerRoot(root as unknown as LinkLayerRoot, p, view, length, generation);
    return;
  }
  root.buf = view;
  root.len = length;
  root.gen = generation;
}

/** The raw object of packet `p` (thesis §3.3.1): its root, or a released packet's root rebound to it. */
export function rootOf(p: Packet): RawSegment {
  if (p === lastPacket) return lastRoot!;
  let root = lastRoot;
  // One packet after the other: the last packet is released, its root serves the next.
  if (root !== undefined && !root.handle!.alive()) bind(root, p);
  else root = heldRootOf(p);
  lastPacket = p;
  lastRoot = root;
  return root;
}

/** The root of `p` while the script holds other packets: its own, a released packet's, or a new one. */
function heldRootOf(p: Packet): Root {
  let released: Root | undefined;
  for (const root of roots) {
    if (root.handle === p) return root;
    if (released === undefined && !root.handle!.alive()) released = root;
  }
  let root = released;
  if (root === undefined) {
    root = newRoot();
    if (roots.length < MAX_ROOTS) roots.push(root);
  }
  bind(root, p);
  return root;
}

/**
 * Turns the link-layer presentation on or off for the packets of this Lua
 * state (the rule option). `smac`/`dmac` ("01:23:45:67:89:AB") fill the
 * presented header where the kernel reports no address (default zeros):
 * NFQUEUE reports the source address of packets that arrived on an
 * Ethernet interface, never the destination.
 */
export function packetscript_link_layer(this: void, on: boolean, smac?: string, dmac?: string): void {
  const source = smac === undefined ? "\0\0\0\0\0\0" : (parseMac(smac) ?? error(`packetscript_link_layer: invalid smac ${smac}`, 2));
  const destination = dmac === undefined ? "\0\0\0\0\0\0" : (parseMac(dmac) ?? error(`packetscript_link_layer: invalid dmac ${dmac}`, 2));
  presentLinkLayer = on === true;
  setPresentedAddresses(source, destination);
  roots = [];
  lastPacket = undefined;
  lastRoot = undefined;
}

/** Adds the raw object methods to the engine's packets. */
export function installPacketMethods(): void {
  const methods = kmod.Packet;
  methods.set("raw", (p: Packet, offset: number, length: number) => rootOf(p).raw(offset, length));
  methods.set("get", (p: Packet) => rootOf(p).get());
  methods.set("set", (p: Packet, value: number | string | Bytes) => rootOf(p).set(value));
  methods.set("data", (p: Packet, ...args: [ProtocolBuffer<ProtocolSegment>?]) => {
    const [proto] = [...args];
    const root = p === lastPacket ? lastRoot! : rootOf(p);
    if (proto === undefined && select("#", ...args) === 0) return root;
    // The root's factory checks the protocol.
    return root.data(proto!);
  });
  methods.set("get_offset", () => 0);
  methods.set("get_size", (p: Packet) => rootOf(p).len);
  methods.set("to_bytes", (p: Packet) => rootOf(p).to_bytes());
}
