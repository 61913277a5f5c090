// What the tests share about the bundle: where it is, and the shapes of
// what its trace functions return through the engine.
import { fileURLToPath } from "node:url";

export const BUNDLE = fileURLToPath(new URL("../dist/http-parser.lua", import.meta.url));

export interface LuaEvent {
  e: string; off: number; data?: string; method?: number; status?: number; major?: number; minor?: number;
  flags?: number; length?: number; upgrade?: boolean; code?: number; reason?: string;
}
export interface SplitReport { events: LuaEvent[]; differing: string[]; runs: number }

