// CSV (RFC 4180 quoting) for results people load elsewhere.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

function cell(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const names = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [names.map(cell).join(","), ...rows.map((r) => names.map((n) => cell(r[n])).join(","))].join("\n") + "\n";
}

export function writeCsv(path: string, rows: readonly Record<string, unknown>[], columns?: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toCsv(rows, columns));
}
