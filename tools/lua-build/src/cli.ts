#!/usr/bin/env -S npx tsx
// Usage: kcache-lua-build [package-dir]   (default: the current directory)
import { buildLuaPackage } from "./build.ts";

buildLuaPackage(process.argv[2] ?? process.cwd()).then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`lua-build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
