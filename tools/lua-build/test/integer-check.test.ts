import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkIntegerOnly, findFloatsInListing } from "../src/index.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

function build(name: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync("npx", ["tsx", cli, fixture(name)], { encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout: string; stderr: string };
    return { ok: false, output: e.stdout + e.stderr };
  }
}

describe("the integer check", () => {
  it("fails the build on a / b, 1.5 and Math.sqrt, naming the TypeScript file and line", () => {
    const { ok, output } = build("floats");
    expect(ok).toBe(false);
    expect(output).toMatch(/src\/division\.ts:2: float division '\/' \(DIV\)/);
    expect(output).toMatch(/src\/constant\.ts:2: float constant 1\.5/);
    expect(output).toMatch(/src\/root\.ts:2: math\.sqrt \(returns a float\)/);
    expect(output).toMatch(/integer check failed: 3 float operation/);
  }, 60_000);

  it("passes floor division written with idiv (TSTL's floor-division extension)", async () => {
    const { ok, output } = build("integers");
    expect(output).toMatch(/integer-only/);
    expect(ok).toBe(true);
    expect(await checkIntegerOnly(`${fixture("integers")}/dist/integers.lua`)).toEqual([]);
  }, 60_000);

  it("reads luac listings: power, float loads and math constants", () => {
    const listing = execFileSync("luac5.4", ["-l", "-l", "-p", "-"], {
      input: "local a, b = ... ; local x = a ^ b ; local y = 2.0 ; local z = math.pi ; local w = math.floor(a) ; return x, y, z, w",
      encoding: "utf8",
    });
    const whats = findFloatsInListing(listing).map((f) => f.what);
    expect(whats).toEqual(expect.arrayContaining([expect.stringMatching(/POW/), expect.stringMatching(/LOADF/), "math.pi (returns a float)"]));
    expect(whats.some((w) => w.includes("floor"))).toBe(false);
  });
});
