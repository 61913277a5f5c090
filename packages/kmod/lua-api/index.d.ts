// What the kcache engine gives Lua: the ABI of a bundle, declared for
// typescript-to-lua. Lua packages list "@kcache/kmod/lua-api" in their
// tsconfig "types" and import nothing else from the engine.
//
// Numbers are integers everywhere (bundles must also run on Lunatik, whose
// Lua has no floats): use `idiv` for division, never `/`.

/// <reference types="lua-types/5.4" />
/// <reference types="@typescript-to-lua/language-extensions" />

// ---- Verdicts (netfilter's values) --------------------------------------

declare const NF_DROP: 0;
declare const NF_ACCEPT: 1;
/** The script keeps the packet: it was held (`p.hold()`) or is dropped silently. */
declare const NF_STOLEN: 2;
declare const NF_QUEUE: 3;
declare const NF_REPEAT: 4;
/** Go on with the next rule of the chain (XT_CONTINUE, 0xFFFFFFFF). */
declare const XT_CONTINUE: 4294967295;
type Verdict = 0 | 1 | 2 | 3 | 4 | 4294967295;

// ---- Hooks ---------------------------------------------------------------

declare const NF_INET_PRE_ROUTING: 0;
declare const NF_INET_LOCAL_IN: 1;
declare const NF_INET_FORWARD: 2;
declare const NF_INET_LOCAL_OUT: 3;
declare const NF_INET_POST_ROUTING: 4;
type Hook = 0 | 1 | 2 | 3 | 4;

/** True in the interrupt context (hook functions), false in the process context (deferred work). */
declare const IS_INTERRUPT: boolean;

// ---- Integer operators (typescript-to-lua language extensions) ----------

/** Floor division `a // b` (integer in, integer out). */
declare const idiv: LuaFloorDivision<number, number, number>;
/** Logical right shift `a >> n` of Lua 5.4 (TS's `>>` is refused by TSTL; `>>>` masks to 32 bits first). */
declare const shr: LuaBitwiseRightShift<number, number, number>;
/** Left shift `a << n` on 64-bit integers (TS's `<<` compiles to this too). */
declare const shl: LuaBitwiseLeftShift<number, number, number>;

// ---- Byte arrays -----------------------------------------------------------

/**
 * A native byte array: a buffer of its own, or a zero-copy view of a packet
 * or of another array. Indexing is 0-based (`a[0]` is the first byte) and
 * bounds-checked: out of range is a Lua error, never a crash. A view of a
 * packet whose verdict was given raises a Lua error when touched.
 * Big-endian (network order) accessors; `#a` and `tostring(a)` work as in
 * PacketScript, and `a .. b` makes a new array.
 */
declare interface Bytes {
  [index: number]: number;
  /** Length in bytes. */
  len(): number;
  u8(offset: number): number;
  u16(offset: number): number;
  u32(offset: number): number;
  set_u8(offset: number, value: number): void;
  set_u16(offset: number, value: number): void;
  set_u32(offset: number, value: number): void;
  /** A zero-copy view of `length` bytes at `offset` (default: to the end). Writes go through. */
  slice(offset: number, length?: number): Bytes;
  /** The bytes as a Lua string (one copy). */
  string(offset?: number, length?: number): string;
  /** Copies a string or another array into this one at `offset` (default 0). */
  copy_from(source: Bytes | string, offset?: number, sourceOffset?: number, length?: number): void;
  /** Sets every byte of the range to `value` (low 8 bits). */
  fill(value: number, offset?: number, length?: number): void;
  /** Internet checksum (RFC 1071) of the range, folded and inverted, with an optional initial partial sum. */
  checksum(offset?: number, length?: number, initial?: number): number;
  /** True while the bytes can be used (false once the packet it views has been released). */
  alive(): boolean;
}

/** Something the engine can send or store: a string, a byte array, or a list of them gathered in order. */
type ByteSource = string | Bytes;
type Parts = ByteSource | ByteSource[];

// ---- Packets ---------------------------------------------------------------

/**
 * The packet a hook is called with (PacketScript's `p`). It starts at the IP
 * header. Its bytes are the kernel's until the verdict: `bytes()` is a view,
 * and changing it changes the packet the verdict carries on. lua-std adds
 * PacketScript's `raw`/`get`/`set`/`data` to `kmod.Packet`.
 */
declare interface Packet {
  /** A zero-copy view of the whole packet; writes change the packet that goes on. */
  bytes(): Bytes;
  len(): number;
  u8(offset: number): number;
  u16(offset: number): number;
  u32(offset: number): number;
  string(offset?: number, length?: number): string;
  /** The netfilter hook it was seen at (NF_INET_*). */
  hook(): Hook;
  /** Input and output interface indexes (0 when unknown). */
  indev(): number;
  outdev(): number;
  /** The link-layer source address the kernel reported (6 bytes), or undefined. */
  hwaddr(): string | undefined;
  /**
   * Keeps the packet past the hook: the hook must return NF_STOLEN, and
   * `kmod.release(handle, verdict)` gives its verdict later (delay, jitter).
   */
  hold(): number;
  /** True until the packet's verdict is given. */
  alive(): boolean;
}

// ---- The engine ------------------------------------------------------------

/** @noSelf */
declare namespace kmod {
  /** Method tables of packets and byte arrays: lua-std extends them. */
  const Packet: LuaTable<string, unknown>;
  const Bytes: LuaTable<string, unknown>;

  /** Monotonic clock (virtual in the sim backend). */
  function now_ms(): number;
  function now_us(): number;
  /** 32 random bits from the OS (deterministic per seed in the sim backend). */
  function random32(): number;

  /** A new zeroed byte array of `length` bytes, or a copy of a string. */
  function bytes(length: number): Bytes;
  function bytes(content: string): Bytes;

  /** Sends a complete IPv4 packet, given whole or as parts gathered without concatenation. */
  function send(packet: Parts): boolean;

  /**
   * Sends an IPv4/TCP or IPv4/UDP "super-segment" (the first part holds the
   * whole IP and TCP/UDP header; up to 64 KiB of payload; at most 63 parts)
   * that the kernel cuts into segments of `mss` payload bytes (GSO), out of
   * interface `ifindex` to the link-layer address `mac` (6 bytes) — learn
   * both from the peer's packets (`p.indev()`, `p.hwaddr()`). Lengths, IP
   * ids, checksums (and TCP sequence numbers) of the segments are the
   * kernel's work; FIN and PSH end up on the last TCP segment. UDP segments
   * are separate datagrams of `mss` bytes (the last may be shorter): a
   * protocol with a header in every datagram (TFTP DATA) lays its datagrams
   * out back to back, each exactly `mss` bytes, and sends a window in one call.
   */
  function send_gso(packet: Parts, mss: number, ifindex: number, mac: string): boolean;

  /**
   * Sends a complete IPv4 packet (checksums done) as an Ethernet frame out of
   * interface `ifindex` to the link-layer address `mac` (6 bytes): straight
   * to the device, without the router's IP output path (routing, netfilter,
   * conntrack), which is most of what `send` costs per packet. Learn the
   * interface and address from the peer's packets (`p.indev()`, `p.hwaddr()`).
   */
  function send_l2(packet: Parts, ifindex: number, mac: string): boolean;

  /** Runs `fn(arg)` in this context after `delayMs` ms. Returns a handle for `cancel`. */
  function timer<T>(delayMs: number, fn: (this: void, arg: T) => void, arg?: T): number;
  /** Same with a delay in µs. */
  function timer_us<T>(delayUs: number, fn: (this: void, arg: T) => void, arg?: T): number;
  /** Cancels a timer or scheduled call; true when it had not run yet. */
  function cancel(handle: number): boolean;

  /**
   * PacketScript's deferral: calls the global or exported function `name`
   * as `name(id, data)` after `delayMs` ms in the other context of this
   * state (the process context by default). `data` is copied and arrives as
   * a byte array.
   */
  function schedule(name: string, id: number, delayMs: number, data?: ByteSource, context?: "process" | "interrupt"): number;

  /** Gives a held packet its verdict, optionally with replacement bytes. False when the handle is unknown. */
  function release(handle: number, verdict: Verdict, replacement?: Parts): boolean;

  /** Writes a line to the engine log. */
  function log(message: string): void;
  /** This state's id. */
  function state(): number;

  /**
   * The content store: bytes kept in the engine (not in Lua tables), shared
   * by every state and kept across script reloads, bounded by a byte budget
   * with LRU eviction. Entries are built incrementally and only visible once
   * committed.
   */
  namespace store {
    /** Starts a new entry for `key` (replacing any committed one when committed). Returns a handle, or undefined and a reason (too big, over budget). */
    function begin(key: string, expectedSize?: number): LuaMultiReturn<[number, undefined] | [undefined, string]>;
    /** Appends bytes to an uncommitted entry. False and a reason when the entry would exceed the maximum entry size or the budget. */
    function append(handle: number, data: ByteSource): LuaMultiReturn<[true, undefined] | [false, string]>;
    /** Makes the entry visible, expiring `ttlMs` ms from now (0 or absent: never). */
    function commit(handle: number, ttlMs?: number): boolean;
    /** Drops an uncommitted entry. */
    function abort(handle: number): boolean;
    /** The size of the committed, unexpired entry for `key`, or undefined. Counts a hit or a miss and marks the entry recently used. */
    function lookup(key: string): number | undefined;
    /** Like lookup, without counting or touching the LRU order. */
    function size(key: string): number | undefined;
    /** A read-only zero-copy view of `length` bytes at `offset` of a committed entry (for kmod.send parts). Raises when the entry is gone or the range is outside it; the view raises when touched after the entry was evicted. */
    function view(key: string, offset?: number, length?: number): Bytes;
    /** A copy of a range of a committed entry as a Lua string. */
    function read(key: string, offset?: number, length?: number): string;
    function remove(key: string): boolean;
    function stats(): {
      entries: number; bytes: number; budget: number; max_entry: number;
      hits: number; misses: number; evictions: number; rejected: number; expired: number; abandoned: number;
    };
  }

  /**
   * strspn: the index (1-based, like `string.find`) of the first byte of `s`
   * at or after `init` that is not in `set`, or `#s + 1`. `set` is a 256-bit
   * bitmap as a 32-byte string (bit `b % 8` of byte `b / 8` for byte value
   * `b`): build it once at load time. Checks a character class at a few
   * machine instructions a byte, where Lua patterns take about 85.
   */
  function span(s: string, init: number, set: string): number;

  /**
   * Checks the plain header field lines of a message head (HTTP/1.1 and its
   * kin) from `init` on, all in one call, reading no byte after `stop`. A
   * plain line: a token name (tchar, RFC 9110 5.6.2), `:`, optional SP/HTAB,
   * a value of at least one byte (field-vchar, obs-text, SP, HTAB; its first
   * neither SP nor HTAB), CR LF, and a next line that is inside `stop` and
   * does not start with SP/HTAB (no obs-fold). Each is passed to
   * `each(s, nameFirst, nameLast, valueFirst, valueLast)` (1-based, for
   * `string.sub`; the value keeps trailing whitespace), in order; with `each`
   * nil they are only checked. `each` runs inside this C function: it must
   * not yield. Stops at the first line that is not plain (the empty line
   * ending a head, a bare CR or LF, a bad byte, an empty value, obs-fold, the
   * end of the data), or at a line whose name is in `names` (names separated
   * by single spaces, at most 32, compared ASCII case-insensitively): that
   * line is not passed, its 4 positions go into `out[1..4]`. Returns the
   * count of lines passed, the position after them (where the line it
   * stopped at starts), the bytes there and after (nil past `stop`), and the
   * index in `names` of the name of the line it stopped at (or nil).
   */
  function field_lines(
    s: string, init: number, stop: number,
    each: ((this: void, s: string, nameFirst: number, nameLast: number, valueFirst: number, valueLast: number) => void) | undefined,
    out: LuaTable<number, number>, names?: string,
  ): LuaMultiReturn<[count: number, next: number, first: number | undefined, second: number | undefined, listed: number | undefined]>;

  /** One's-complement sum (RFC 1071) of the bytes, unfolded, added to `initial`; only the last piece may be odd-length. */
  function sum16(data: ByteSource, offset?: number, length?: number, initial?: number): number;
  /** Folds a partial sum to 16 bits and inverts it: the checksum to put in a header. */
  function fold16(sum: number): number;
  /** RFC 1624 incremental update: the new checksum after a 16-bit field changed from `old` to `new`. */
  function checksum_adjust(checksum: number, oldValue: number, newValue: number): number;
}
