// Generated file contents: the bytes the HTTP bench server sends and its
// client expects, made from a seed in integers only, so the Lua side needs
// no file I/O (the engine opens none) and Node writes the very same bytes
// for nginx (apps/tcp-bench/src/content.ts is the twin; a test pins them
// together). The stream is 64 KiB chunks: a pseudo-random block (xorshift32,
// big-endian words) whose first 8 bytes are replaced by the chunk number, so
// a misplaced chunk cannot pass for another.
export const CHUNK_BYTES = 65536;
const MASK32 = 0xffffffff;

let block = "";
let cachedIndex = -1;
let cachedChunk = "";
/** The block after its first 8 bytes, as engine bytes: what every chunk shares. */
let sharedTail: Bytes | undefined;

function makeBlock(): string {
  const words: string[] = [];
  let x = 0x2545f491;
  for (let i = 0; i < idiv(CHUNK_BYTES, 4); i++) {
    x = (x ^ shl(x, 13)) & MASK32;
    x = x ^ shr(x, 17);
    x = (x ^ shl(x, 5)) & MASK32;
    words.push(string.pack(">I4", x));
  }
  return table.concat(words);
}

/** Chunk `index` of the stream (the last one built is kept). */
export function contentChunk(index: number): string {
  if (index === cachedIndex) return cachedChunk;
  if (block === "") block = makeBlock();
  cachedChunk = string.pack(">I4I4", 0x6b636163, index) + string.sub(block, 9);
  cachedIndex = index;
  return cachedChunk;
}

/**
 * Chunk `index` as the two pieces it is made of, its 8-byte number and a
 * view of the shared block (engine bytes): written to a socket this way, a
 * chunk is sent without ever being copied in Lua.
 */
export function contentChunkPieces(index: number): LuaMultiReturn<[string, Bytes]> {
  if (block === "") block = makeBlock();
  if (sharedTail === undefined) sharedTail = kmod.bytes(string.sub(block, 9));
  return $multi(string.pack(">I4I4", 0x6b636163, index), sharedTail);
}

/** Bytes [offset, offset + length) of the stream; a whole aligned chunk without a copy. */
export function contentRange(offset: number, length: number): string {
  const index = idiv(offset, CHUNK_BYTES);
  const start = offset - index * CHUNK_BYTES;
  if (start + length <= CHUNK_BYTES) {
    const chunk = contentChunk(index);
    return start === 0 && length === CHUNK_BYTES ? chunk : string.sub(chunk, start + 1, start + length);
  }
  const parts: string[] = [];
  let at = offset;
  const end = offset + length;
  while (at < end) {
    const i = idiv(at, CHUNK_BYTES);
    const s = at - i * CHUNK_BYTES;
    const n = Math.min(CHUNK_BYTES - s, end - at);
    parts.push(string.sub(contentChunk(i), s + 1, s + n));
    at += n;
  }
  return table.concat(parts);
}
