// Builds the netem bundle before the tests when it is missing or older than
// its sources (nx builds it first anyway; this covers a bare `vitest run`).
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildLuaPackage } from "@kcache/lua-build";

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const bundle = `${root}dist/netem.lua`;
  const sources = readdirSync(`${root}lua`).map((f) => statSync(`${root}lua/${f}`).mtimeMs);
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...sources)) return;
  if (!(await buildLuaPackage(root))) throw new Error("netem bundle failed to build");
}
