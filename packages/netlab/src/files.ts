// Test files: deterministic pseudo-random content of a given size (the same
// seed and size always give the same bytes), and sha256 of files on disk.
import { createCipheriv, createHash } from "node:crypto";
import { createReadStream, openSync, writeSync, closeSync, chmodSync, statSync } from "node:fs";
import { join } from "node:path";

export interface TestFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** Parses sizes like `512`, `4k`, `1M`, `1MiB`, `32m` (binary units). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+)\s*([kmg]?)(i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`netlab: bad size "${text}" (use e.g. 512, 4k, 1M)`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Number(m[1]) * unit;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}M`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}k`;
  return `${bytes}`;
}

/** The content stream: AES-128-CTR keystream under a key derived from (seed, size). Fast and reproducible. */
function contentCipher(size: number, seed: string) {
  const key = createHash("sha256").update(`kcache-netlab:${seed}:${size}`).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
}

/** The bytes of a test file, in memory (for small sizes and for tests). */
export function testFileBytes(size: number, seed = "0"): Buffer {
  return contentCipher(size, seed).update(Buffer.alloc(size));
}

/** Writes `dir/name` with `size` deterministic bytes, mode 0644; returns its sha256. */
export function makeTestFile(dir: string, name: string, size: number, seed = "0"): TestFile {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`netlab: bad file size ${size}`);
  const path = join(dir, name);
  const cipher = contentCipher(size, seed);
  const hash = createHash("sha256");
  const zeros = Buffer.alloc(Math.min(size, 1 << 20));
  const fd = openSync(path, "w", 0o644);
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(zeros.length, size - done);
      const chunk = cipher.update(zeros.subarray(0, n));
      writeSync(fd, chunk);
      hash.update(chunk);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o644);
  return { name, path, size, sha256: hash.digest("hex") };
}

/** Makes one file per size, named `file-<size>.bin` unless names are given. */
export function makeTestFiles(dir: string, sizes: (number | string | { name: string; size: number | string })[], seed = "0"): TestFile[] {
  return sizes.map((s) => {
    if (typeof s === "object") return makeTestFile(dir, s.name, typeof s.size === "string" ? parseSize(s.size) : s.size, seed);
    const size = typeof s === "string" ? parseSize(s) : s;
    return makeTestFile(dir, `file-${formatSize(size)}.bin`, size, seed);
  });
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest("hex"), bytes: statSync(path).size };
}
