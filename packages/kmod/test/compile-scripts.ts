// Compiles the TypeScript test scripts (test/scripts) to Lua in test/.build,
// the way users' scripts are compiled, before the tests load them.
import { fileURLToPath } from "node:url";
import { transpile } from "@kcache/lua-build";

export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!transpile(root, {})) throw new Error("test scripts failed to compile");
}
