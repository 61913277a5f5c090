// Drives the content store from Lua for the engine's tests.
const handles = new LuaTable<string, number>();

export function begin(key: string, expected?: number): LuaMultiReturn<[boolean, string | undefined]> {
  const [handle, err] = kmod.store.begin(key, expected);
  if (handle === undefined) return $multi(false, err);
  handles.set(key, handle);
  return $multi(true, undefined);
}

export function append(key: string, data: string): LuaMultiReturn<[boolean, string | undefined]> {
  const [ok, err] = kmod.store.append(handles.get(key), data);
  return $multi(ok, err);
}

export function commit(key: string, ttlMs?: number): boolean {
  return kmod.store.commit(handles.get(key), ttlMs);
}

export function abort(key: string): boolean {
  return kmod.store.abort(handles.get(key));
}

export function lookup(key: string): number | undefined {
  return kmod.store.lookup(key);
}

export function read(key: string, offset?: number, length?: number): string {
  return kmod.store.read(key, offset, length);
}

let kept: Bytes | undefined;

/** Sends [header, view of the entry] as one packet, and keeps the view. */
export function send_from_store(key: string, header: string, offset: number, length: number): boolean {
  kept = kmod.store.view(key, offset, length);
  return kmod.send([header, kept]);
}

export function touch_kept_view(): number {
  return kept![0];
}

export function write_kept_view(): void {
  kept![0] = 1;
}

export function remove(key: string): boolean {
  return kmod.store.remove(key);
}

export function stats(): number[] {
  const s = kmod.store.stats();
  return [s.entries, s.bytes, s.hits, s.misses, s.evictions];
}

export function process_packet(_p: Packet): Verdict {
  return NF_ACCEPT;
}
