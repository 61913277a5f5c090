import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { barSpec, lineSpec, ratio, renderTable, summarize, toCsv, writePlot } from "../src/index.ts";

describe("bench-kit", () => {
  it("summarizes samples", () => {
    expect(summarize([3, 1, 2, 10])).toMatchObject({ n: 4, min: 1, median: 2.5, max: 10, mean: 4 });
    expect(summarize([5]).stddev).toBe(0);
    expect(() => summarize([])).toThrow(/no values/);
    expect(ratio(3, 2)).toBe("1.50x");
    expect(ratio(1, 0)).toBe("-");
  });

  it("renders aligned tables and quoted CSV", () => {
    const table = renderTable(["file", "ms"], [["a", "1.5"], ["bb", "12.25"]]);
    expect(table.split("\n")).toEqual(["file     ms", "----  -----", "a       1.5", "bb    12.25"]);
    expect(toCsv([{ name: 'say "hi", ok', n: 2 }])).toBe('name,n\n"say ""hi"", ok",2\n');
  });

  it("draws a line plot as SVG and PNG", async () => {
    const base = join(mkdtempSync(join(tmpdir(), "bench-kit-")), "plot");
    const { svg, png } = await writePlot(base, lineSpec({
      title: "time against size", xTitle: "bytes", yTitle: "ms", logX: true,
      points: [{ x: 1, y: 2, series: "origin" }, { x: 1024, y: 3, series: "origin" }, { x: 1, y: 1, series: "cache" }, { x: 1024, y: 1.5, series: "cache" }],
    }));
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/^<svg/);
    expect(text).toContain("time against size");
    expect(text).toContain("cache");
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    expect(statSync(png).size).toBeGreaterThan(1000);
  });

  it("draws a bar plot with the values written on the bars", async () => {
    const base = join(mkdtempSync(join(tmpdir(), "bench-kit-")), "bars");
    const { svg } = await writePlot(base, barSpec({ title: "packets/s", yTitle: "packets/s", bars: [{ label: "no queue", value: 99795 }, { label: "kmod", value: 74323 }] }));
    const text = readFileSync(svg, "utf8");
    expect(text).toContain("no queue");
    expect(text).toContain("74,320");
  });
});
