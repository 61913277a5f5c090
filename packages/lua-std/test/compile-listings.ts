// Compiles the TypeScript listings (test/listings/ts) to Lua in test/.build,
// the way users' scripts are compiled, before the tests load them.
import { fileURLToPath } from "node:url";
import * as ts from "typescript";
import * as tstl from "typescript-to-lua";

export default function setup(): void {
  const config = fileURLToPath(new URL("../tsconfig.listings.json", import.meta.url));
  const result = tstl.transpileProject(config);
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`TypeScript listings failed to compile:\n${ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n",
    })}`);
  }
}
