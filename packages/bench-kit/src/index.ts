export { summarize, ratio, formatMs, type Summary } from "./stats.ts";
export { renderTable } from "./table.ts";
export { toCsv, writeCsv } from "./csv.ts";
export { barSpec, lineSpec, renderSvg, writePlot, type BarPlot, type LinePlot } from "./plot.ts";
export { progress, type Progress } from "./progress.ts";
