// Plots: a Vega-Lite spec rendered to SVG in Node (vega's headless renderer),
// then to PNG with rsvg-convert (Debian's librsvg2-bin, installed by setup).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface LinePlot {
  title: string;
  /** One point per row: x, y and the series (line) it belongs to. */
  points: readonly { x: number; y: number; series: string }[];
  xTitle: string;
  yTitle: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** What every plot has: schema, title, size, a white background (PNGs are not transparent). */
function frame(plot: { title: string; width?: number; height?: number }, width: number, height: number) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: plot.title,
    width: plot.width ?? width,
    height: plot.height ?? height,
    background: "white",
  };
}

export function lineSpec(plot: LinePlot): TopLevelSpec {
  return {
    ...frame(plot, 640, 360),
    data: { values: plot.points.map((p) => ({ ...p })) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: plot.xTitle, scale: plot.logX ? { type: "log", base: 2 } : { zero: false } },
      y: { field: "y", type: "quantitative", title: plot.yTitle, scale: plot.logY ? { type: "log" } : {} },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "top-left", labelLimit: 400 } },
    },
  };
}

export interface BarPlot {
  title: string;
  bars: readonly { label: string; value: number }[];
  yTitle: string;
  width?: number;
  height?: number;
}

/** One bar per label, in the given order, with its value written on it. */
export function barSpec(plot: BarPlot): TopLevelSpec {
  const order = plot.bars.map((b) => b.label);
  return {
    ...frame(plot, 480, 320),
    data: { values: plot.bars.map((b) => ({ ...b })) },
    encoding: {
      x: { field: "label", type: "nominal", sort: order, title: null, axis: { labelAngle: 0, labelLimit: 200 } },
      y: { field: "value", type: "quantitative", title: plot.yTitle },
    },
    layer: [
      { mark: { type: "bar" } },
      { mark: { type: "text", dy: -6 }, encoding: { text: { field: "value", type: "quantitative", format: ",.4~r" } } },
    ],
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes `<base>.svg` and `<base>.png`; returns their paths. */
export async function writePlot(base: string, spec: TopLevelSpec): Promise<{ svg: string; png: string }> {
  mkdirSync(dirname(base), { recursive: true });
  const svg = `${base}.svg`, png = `${base}.png`;
  writeFileSync(svg, await renderSvg(spec));
  execFileSync("rsvg-convert", ["--format", "png", "--output", png, svg]);
  return { svg, png };
}
