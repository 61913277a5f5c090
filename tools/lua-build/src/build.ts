// Builds one Lua package: the library form (dist/lib: one .lua and .d.ts per
// source file, for other Lua packages to import from TypeScript) and the
// bundle (one self-contained .lua the engine loads), then the integer check.
import { readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as ts from "typescript";
import * as tstl from "typescript-to-lua";
import { checkIntegerOnly, formatFinding } from "./integer-check.ts";

export interface LuaPackageConfig {
  /** TypeScript entry of the bundle, relative to the package. */
  entry: string;
  /** Bundle path, relative to the package (e.g. dist/lua-std.lua). */
  bundle: string;
  /** Whether to also emit the library form (default true). */
  library?: boolean;
}

export function readLuaPackageConfig(packageDir: string): LuaPackageConfig {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const config = pkg.kcache?.lua as LuaPackageConfig | undefined;
  if (!config?.entry || !config.bundle) {
    throw new Error(`${packageDir}/package.json: missing "kcache": { "lua": { "entry", "bundle" } }`);
  }
  return config;
}

function report(diagnostics: readonly ts.Diagnostic[]): boolean {
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => "\n",
    };
    process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  }
  return errors.length === 0;
}

/** Transpiles with the package's tsconfig.lua.json; returns false on compile errors. */
export function transpile(packageDir: string, options: tstl.CompilerOptions): boolean {
  const result = tstl.transpileProject(join(packageDir, "tsconfig.lua.json"), options);
  return report(result.diagnostics);
}

export async function buildLuaPackage(packageDir: string): Promise<boolean> {
  const dir = resolve(packageDir);
  const config = readLuaPackageConfig(dir);
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  if (config.library !== false) {
    const ok = transpile(dir, { outDir: join(dir, "dist/lib"), declaration: true, buildMode: tstl.BuildMode.Library });
    if (!ok) return false;
  }
  const bundle = join(dir, config.bundle);
  const ok = transpile(dir, {
    outDir: join(dir, "dist/bundle-work"),
    luaBundle: relative(join(dir, "dist/bundle-work"), bundle),
    luaBundleEntry: join(dir, config.entry),
  });
  rmSync(join(dir, "dist/bundle-work"), { recursive: true, force: true });
  if (!ok) return false;
  const findings = await checkIntegerOnly(bundle);
  for (const finding of findings) process.stderr.write(`${formatFinding(bundle, finding)}\n`);
  if (findings.length > 0) {
    process.stderr.write(`integer check failed: ${findings.length} float operation(s) in ${relative(process.cwd(), bundle)}\n`);
    return false;
  }
  process.stdout.write(`built ${relative(process.cwd(), bundle)} (integer-only)\n`);
  return true;
}
