// Our own cases (cases.ts), each fed whole, split at every position and
// byte by byte, in the engine's Lua.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { CASES } from "./cases.ts";
import { asList, engineWithBundle, type SplitReport } from "./bundle.ts";
import { summarize } from "./summary.ts";

let engine: Engine;
beforeAll(() => {
  engine = engineWithBundle();
});
afterAll(() => engine?.close());

describe("parser rules", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const [report] = engine.call(0, "traceSplits", [c.kind, Buffer.from(c.input, "latin1"), c.options ?? {}]) as [SplitReport];
    expect(engine.takeLogs()).toEqual([]);
    expect(asList(report.differing), "splits whose events differ from the whole input").toEqual([]);
    const summary = summarize(report.events);
    expect(summary).toMatchObject(c.expect);
    if (c.expect.error === undefined) expect(summary.error).toBeUndefined();
    if (c.expect.messages !== undefined) expect(summary.messages).toHaveLength(c.expect.messages.length);
  });
});
