// Where the tests run the compiled Lua: the engine's sim backend (Engine.sim,
// virtual clock). TCP_STACK_HOST=lua runs the bundle in plain lua5.4 with a
// small stand-in for kmod instead (lua-shim.lua), for development only.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUNDLE = join(PACKAGE_DIR, "dist/tcp-stack.lua");

export interface Host {
  call(fn: string, args?: unknown[]): Promise<unknown[]>;
  /** Moves the virtual clock by `ms` milliseconds. */
  advance(ms: number): Promise<void>;
  advanceUs(us: number): Promise<void>;
  close(): void;
  readonly kind: string;
}

function luaLiteral(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  }
  if (typeof v === "string" || v instanceof Uint8Array) {
    const bytes = typeof v === "string" ? Buffer.from(v, "latin1") : Buffer.from(v);
    let s = '"';
    for (const b of bytes) s += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, "0")}`;
    return `${s}"`;
  }
  if (Array.isArray(v)) return `{${v.map(luaLiteral).join(",")}}`;
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${luaLiteral(k)}]=${luaLiteral(x)}`).join(",")}}`;
  }
  throw new Error(`cannot pass ${typeof v} to Lua`);
}

function fixNil(v: unknown): unknown {
  if (v === "__nil__") return null;
  if (Array.isArray(v)) return v.map(fixNil);
  return v;
}

class LuaShimHost implements Host {
  readonly kind = "lua5.4 shim";
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly pending: ((line: string) => void)[] = [];

  constructor() {
    this.proc = spawn("lua5.4", [join(PACKAGE_DIR, "test/support/lua-shim.lua"), BUNDLE]);
    this.proc.stderr.on("data", (d) => process.stderr.write(d));
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.pending.shift()?.(line));
  }

  private run(chunk: string): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.pending.push((line) => {
        const res = JSON.parse(line) as { ok?: unknown[]; error?: string };
        if (res.error !== undefined) reject(new Error(res.error));
        else resolve(fixNil(res.ok ?? []) as unknown[]);
      });
      this.proc.stdin.write(`${chunk.replace(/\n/g, " ")}\n`);
    });
  }

  call(fn: string, args: unknown[] = []): Promise<unknown[]> {
    return this.run(`return ${fn}(${args.map(luaLiteral).join(",")})`);
  }

  async advance(ms: number): Promise<void> {
    await this.run(`__advance(${ms * 1000})`);
  }

  async advanceUs(us: number): Promise<void> {
    await this.run(`__advance(${us})`);
  }

  close(): void {
    this.proc.stdin.end();
  }
}

interface SimEngine {
  loadScript(state: number, path: string): void;
  call(state: number, fn: string, args: unknown[]): unknown[];
  setBudgets(state: number, budgets: { instructions?: number; timeMs?: number; memoryBytes?: number }): void;
  advance(ms: number): void;
  advanceUs(us: number): void;
  takeLogs(): string[];
  close(): void;
}

class EngineHost implements Host {
  readonly kind = "engine sim backend";
  constructor(private readonly engine: SimEngine) {
    engine.loadScript(0, BUNDLE);
    // The watchdog's time budget (no per-instruction hook), generous for bulk transfers on a loaded CI machine.
    engine.setBudgets(0, { timeMs: 120_000, memoryBytes: 512 * 1024 * 1024 });
  }

  async call(fn: string, args: unknown[] = []): Promise<unknown[]> {
    try {
      return this.engine.call(0, fn, args);
    } catch (e) {
      const logs = this.engine.takeLogs();
      throw new Error(`${(e as Error).message}\n${logs.join("\n")}`);
    }
  }

  async advance(ms: number): Promise<void> {
    this.engine.advance(ms);
  }

  async advanceUs(us: number): Promise<void> {
    this.engine.advanceUs(us);
  }

  close(): void {
    this.engine.close();
  }
}

export async function createHost(): Promise<Host> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run the build first (npx nx run tcp-stack:build)`);
  if (process.env.TCP_STACK_HOST === "lua") return new LuaShimHost();
  const kmod = (await import("@kcache/kmod")) as unknown as { Engine: { sim(o: { seed: number }): SimEngine } };
  return new EngineHost(kmod.Engine.sim({ seed: 1 }));
}
