// Summaries of repeated measurements. This machine is noisy: compare minimums.
export interface Summary {
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  /** Sample standard deviation (0 for one sample). */
  stddev: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("summarize: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const middle = Math.floor(n / 2);
  const median = n % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const variance = n > 1 ? sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, min: sorted[0]!, median, mean, max: sorted[n - 1]!, stddev: Math.sqrt(variance) };
}

/** a / b, printed as "2.41x" (or "-" when b is 0). */
export function ratio(a: number, b: number, digits = 2): string {
  return b === 0 ? "-" : `${(a / b).toFixed(digits)}x`;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
