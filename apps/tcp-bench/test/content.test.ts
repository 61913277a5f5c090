// The generated content is the same in Lua (what the tcp-stack server sends
// and its client expects) and in Node (what nginx serves and the clients'
// sha256 is checked against).
import { Engine } from "@kcache/kmod";
import { afterAll, describe, expect, it } from "vitest";
import { TCP_STACK_BUNDLE } from "../src/stack-in-router.ts";
import { CHUNK_BYTES, generatedBytes } from "../src/content.ts";

describe("generated content", () => {
  const engine = Engine.sim();
  engine.loadScript(0, TCP_STACK_BUNDLE);
  afterAll(() => engine.close());
  const lua = (offset: number, length: number): Buffer => Buffer.from(engine.call(0, "contentRange", [offset, length])[0] as string, "latin1");

  it("is byte-identical in Lua and Node, across chunk boundaries", () => {
    const node = generatedBytes(3 * CHUNK_BYTES + 100);
    for (const [offset, length] of [[0, 1], [0, CHUNK_BYTES], [CHUNK_BYTES - 3, 10], [5, 2 * CHUNK_BYTES + 7], [3 * CHUNK_BYTES, 100]] as const) {
      expect(lua(offset, length).equals(node.subarray(offset, offset + length)), `${offset}+${length}`).toBe(true);
    }
  });

  it("differs from chunk to chunk (a misplaced chunk is caught)", () => {
    expect(lua(0, CHUNK_BYTES).equals(lua(CHUNK_BYTES, CHUNK_BYTES))).toBe(false);
  });
});
