// The content store the cache keeps its files in: the engine's kmod.store
// (native, byte-budgeted, LRU, kept across script reloads). The cache only
// uses these operations, so a test or another host can hand it any object
// with them (see setStore).

/** @noSelf */
export interface Store {
  begin(key: string, expectedSize?: number): LuaMultiReturn<[number, undefined] | [undefined, string]>;
  append(handle: number, data: ByteSource): LuaMultiReturn<[true, undefined] | [false, string]>;
  commit(handle: number, ttlMs?: number): boolean;
  abort(handle: number): boolean;
  /** Size of the committed, unexpired entry (counts a store hit/miss). */
  lookup(key: string): number | undefined;
  /** Same without counting. */
  size(key: string): number | undefined;
  /** Bytes of a committed entry for kmod.send (raises when the entry is gone). */
  view(key: string, offset?: number, length?: number): ByteSource;
  remove(key: string): boolean;
}

/** The engine's store, or undefined on an engine without one (the cache then only passes traffic through). */
export function engineStore(): Store | undefined {
  return (kmod as unknown as { store?: Store }).store;
}

/** The key of a file: origin address, mode, file name (readable, for stats and tests). */
export function entryKey(origin: number, mode: string, filename: string): string {
  return string.format("tftp|%d.%d.%d.%d|%s|%s", shr(origin, 24) & 0xFF, shr(origin, 16) & 0xFF, shr(origin, 8) & 0xFF, origin & 0xFF, mode, filename);
}
