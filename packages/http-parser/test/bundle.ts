// What the tests share about the bundle: where it is, an engine with it
// loaded, and the shapes of what its trace functions return.
import { fileURLToPath } from "node:url";
import { Engine } from "@kcache/kmod";

export const BUNDLE = fileURLToPath(new URL("../dist/http-parser.lua", import.meta.url));

export interface LuaEvent {
  e: string; off: number; data?: string; method?: number; status?: number; major?: number; minor?: number;
  flags?: number; length?: number; upgrade?: boolean; code?: number; reason?: string;
}
export interface SplitReport { events: LuaEvent[]; differing: string[]; runs: number }


/**
 * A sim engine with the bundle loaded in state 0, with room for parsing every
 * split of an input in one call: the engine's watchdog budget (CPU time, no
 * per-instruction hook), raised from 50 ms to 10 s.
 */
export function engineWithBundle(): Engine {
  const engine = Engine.sim({ seed: 1 });
  engine.loadScript(0, BUNDLE);
  engine.setBudgets(0, { timeMs: 10_000 });
  return engine;
}

/** A Lua sequence comes back as an array, an empty table as an object: both mean a list here. */
export const asList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
