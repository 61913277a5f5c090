// The Node twin of packages/tcp-stack/src/content.ts: the same generated
// bytes, written to files for nginx and hashed for the clients' checks
// (test/content.test.ts pins the two together through the engine).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const CHUNK_BYTES = 65536;

function makeBlock(): Buffer {
  const block = Buffer.alloc(CHUNK_BYTES);
  let x = 0x2545f491;
  for (let i = 0; i < CHUNK_BYTES / 4; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    block.writeUInt32BE(x, i * 4);
  }
  return block;
}

const BLOCK = makeBlock();

/** The first `size` bytes of the generated stream. */
export function generatedBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let index = 0; index * CHUNK_BYTES < size; index++) {
    const chunk = Buffer.from(BLOCK);
    chunk.writeUInt32BE(0x6b636163, 0);
    chunk.writeUInt32BE(index, 4);
    chunk.copy(out, index * CHUNK_BYTES, 0, Math.min(CHUNK_BYTES, size - index * CHUNK_BYTES));
  }
  return out;
}

export interface GeneratedFile {
  /** File name, also the URL path without its slash: gen-<size>.bin. */
  name: string;
  size: number;
  sha256: string;
}

export function generatedName(size: number): string {
  return `gen-${size}.bin`;
}

/** Writes the generated files of these sizes into `dir` (mode 0644, for nginx's workers). */
export function writeGeneratedFiles(dir: string, sizes: readonly number[]): GeneratedFile[] {
  return sizes.map((size) => {
    const bytes = generatedBytes(size);
    const name = generatedName(size);
    writeFileSync(join(dir, name), bytes, { mode: 0o644 });
    return { name, size, sha256: createHash("sha256").update(bytes).digest("hex") };
  });
}
