import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSize, makeTestFile, makeTestFiles, parseSize, sha256File, testFileBytes } from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "netlab-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseSize", () => {
  it("reads plain numbers and binary units", () => {
    expect(parseSize("512")).toBe(512);
    expect(parseSize("4k")).toBe(4096);
    expect(parseSize("1M")).toBe(1 << 20);
    expect(parseSize("1MiB")).toBe(1 << 20);
    expect(parseSize("32m")).toBe(32 << 20);
    expect(parseSize("1G")).toBe(1 << 30);
  });
  it("rejects what is not a size, naming it", () => {
    expect(() => parseSize("1.5M")).toThrow(/bad size "1.5M"/);
    expect(() => parseSize("lots")).toThrow(/bad size/);
  });
  it("formats back to the short form used in file names", () => {
    expect(formatSize(1 << 20)).toBe("1M");
    expect(formatSize(4096)).toBe("4k");
    expect(formatSize(1000)).toBe("1000");
  });
});

describe("test files", () => {
  it("have exactly the size asked for and the sha256 of their bytes", () => {
    for (const size of [0, 1, 511, 512, 513, 65_537, (1 << 20) + 3]) {
      const f = makeTestFile(dir, `f-${size}`, size);
      const bytes = readFileSync(f.path);
      expect(bytes.length).toBe(size);
      expect(f.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(statSync(f.path).mode & 0o777).toBe(0o644);
    }
  });

  it("are deterministic for a seed and size, and differ across seeds", () => {
    const a = makeTestFile(dir, "a", 10_000, "s1");
    const b = makeTestFile(dir, "b", 10_000, "s1");
    const c = makeTestFile(dir, "c", 10_000, "s2");
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(testFileBytes(10_000, "s1").equals(readFileSync(a.path))).toBe(true);
    // A fixed vector, so a change of the generator is noticed (other runs and machines compare against it).
    expect(testFileBytes(16, "0").toString("hex")).toBe("c6f966e53e94406dfde6caee09a30615");
    expect(makeTestFile(dir, "v", 1 << 20).sha256).toBe("9a973f2f3f978f1450b37d0cda4457c309dfd7888bc1d31ae7dfee23a3efd142");
  });

  it("look random: no long runs of one byte, all byte values present", () => {
    const bytes = testFileBytes(1 << 16);
    const seen = new Set(bytes);
    expect(seen.size).toBe(256);
    let run = 1;
    let longest = 1;
    for (let i = 1; i < bytes.length; i++) {
      run = bytes[i] === bytes[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThan(6);
  });

  it("are named by size unless named, and hashed from disk alike", async () => {
    const files = makeTestFiles(dir, ["1k", 2048, { name: "x.bin", size: "3k" }]);
    expect(files.map((f) => f.name)).toEqual(["file-1k.bin", "file-2k.bin", "x.bin"]);
    for (const f of files) expect(await sha256File(f.path)).toEqual({ sha256: f.sha256, bytes: f.size });
  });
});
