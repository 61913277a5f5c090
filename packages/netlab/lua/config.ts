// netem's configuration: what `configure` accepts, its defaults, and the
// reason for every refusal. A configuration is checked whole before any of
// it is used, so a refused one leaves the running one in place.
import type { NetemConfig } from "./types";

export const DEFAULTS: Readonly<NetemConfig> = { delay_ms: 20, jitter_ms: 0, loss_permille: 0, reorder: false, limit: 10000 };

export const MAX_DELAY_MS = 1000000;
export const MAX_JITTER_MS = 1000000;
export const MAX_LIMIT = 1000000;

const KNOWN = new LuaTable<string, boolean>();
for (const key of ["delay_ms", "jitter_ms", "loss_permille", "loss_percent", "reorder", "limit", "seed"]) KNOWN.set(key, true);

/** "integer", "float", or undefined for a non-number (Lua's math.type). */
function numberKind(value: unknown): string | undefined {
  return math.type(value as number);
}

function describe(value: unknown): string {
  if (type(value) === "string") return string.format("%q", value);
  if (numberKind(value) === "float") return `${tostring(value)} (a float)`;
  return tostring(value);
}

function integerIn(input: LuaTable<string, unknown>, key: string, min: number, max: number, unit: string, fallback: number): number {
  const value = input.get(key);
  if (value === undefined) return fallback;
  if (numberKind(value) !== "integer" || (value as number) < min || (value as number) > max) {
    error(`netem: ${key} must be an integer from ${min} to ${max}${unit}, got ${describe(value)}`, 0);
  }
  return value as number;
}

/**
 * Checks a configuration table and fills in the defaults (every call sets
 * the whole configuration: what is left out takes its default). Raises
 * `netem: <field> ...` naming the first problem.
 */
export function parseConfig(input: unknown): NetemConfig {
  if (input === undefined) input = new LuaTable();
  if (type(input) !== "table") error(`netem: configure takes a table of options, got ${type(input)} ${describe(input)}`, 0);
  const options = input as LuaTable<string, unknown>;
  for (const [key] of options) {
    if (type(key) !== "string" || KNOWN.get(key) !== true) {
      error(`netem: unknown option ${describe(key)} (known: delay_ms, jitter_ms, loss_permille, loss_percent, reorder, limit, seed)`, 0);
    }
  }
  const delay = integerIn(options, "delay_ms", 0, MAX_DELAY_MS, " ms", DEFAULTS.delay_ms);
  const jitter = integerIn(options, "jitter_ms", 0, MAX_JITTER_MS, " ms", DEFAULTS.jitter_ms);
  let loss = integerIn(options, "loss_permille", 0, 1000, " (per mille)", DEFAULTS.loss_permille);
  if (options.get("loss_percent") !== undefined) {
    if (options.get("loss_permille") !== undefined) error("netem: give loss_permille or loss_percent, not both", 0);
    loss = 10 * integerIn(options, "loss_percent", 0, 100, " (per cent)", 0);
  }
  const limit = integerIn(options, "limit", 1, MAX_LIMIT, " packets", DEFAULTS.limit);
  const reorder = options.get("reorder");
  if (reorder !== undefined && type(reorder) !== "boolean") error(`netem: reorder must be true or false, got ${describe(reorder)}`, 0);
  const seed = options.get("seed");
  if (seed !== undefined && numberKind(seed) !== "integer") error(`netem: seed must be an integer, got ${describe(seed)}`, 0);
  return {
    delay_ms: delay,
    jitter_ms: jitter,
    loss_permille: loss,
    reorder: reorder === true,
    limit,
    seed: seed as number | undefined,
  };
}
