// The TypeScript-authored listings (test/listings/ts, compiled to Lua by the
// global setup) behave like the Lua originals on the same packets, and the
// declarations make mistakes compile errors.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import * as ts from "typescript";
import type { Engine } from "@kcache/kmod";
import { LISTINGS, frame, lua, packet, stdEngine } from "./helpers.ts";

const BUILD = fileURLToPath(new URL("./.build/test/listings/ts", import.meta.url));
const engines: Engine[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.close()));

interface Run {
  engine: Engine;
  verdict: number;
  packet: Buffer;
}

/** Runs one packet through the Lua listing and through its TypeScript twin. */
function both(listing: string, p: Buffer, options: { smac?: string; dmac?: string; fn?: string } = {}): [Run, Run] {
  return [`${LISTINGS}/${listing}.lua`, `${BUILD}/${listing.replace(".", "_")}.lua`].map((script) => {
    const engine = stdEngine({ linkLayer: true, smac: options.smac, dmac: options.dmac });
    engines.push(engine);
    engine.insertRule({ hook: "PREROUTING", script, function: options.fn, state: 0 });
    const result = engine.inject("PREROUTING", p);
    return { engine, verdict: result.verdict, packet: result.packet };
  }) as [Run, Run];
}

/** Globals as the probe reports them (segments without their printed class line). */
function globals(run: Run, names: string[]): unknown[] {
  return names.map((name) => run.engine.call(0, "probe", [name]).slice(0, 4));
}

const UDP = packet("tftp_rrq");
const cases: [string, string[], { smac?: string; dmac?: string }][] = [
  ["listing-3.1", ["dmac", "smac", "type"], { smac: "01:23:45:67:89:AB", dmac: "02:00:00:00:00:01" }],
  ["listing-3.2", ["val", "byte1", "byte2", "byte3", "byte4", "byte5", "byte6"], { dmac: "01:23:45:67:89:AB" }],
  ["listing-3.3", ["dmac"], {}],
  ["listing-3.4", ["dmac", "byte1", "byte2", "byte6"], {}],
  ["listing-3.5", ["eth"], {}],
  ["listing-3.6", ["smac", "dmac"], { smac: "01:23:45:67:89:AB" }],
  ["listing-3.6", ["smac", "dmac"], { smac: "01:23:45:67:89:AC" }],
];

describe("TypeScript listings behave as the Lua listings", () => {
  for (const [listing, names, options] of cases) {
    it(`${listing} (${JSON.stringify(options)})`, () => {
      const [luaRun, tsRun] = both(listing, UDP, options);
      expect(tsRun.verdict).toBe(luaRun.verdict);
      expect(tsRun.packet.equals(luaRun.packet)).toBe(true);
      const expected = globals(luaRun, names);
      expect(expected.every((g) => (g as unknown[])[0] !== "nil")).toBe(true);
      expect(globals(tsRun, names)).toEqual(expected);
    });
  }

  it("listing-3.7 reads the same addresses and fails the same way on a non-IPv4 packet", () => {
    const [luaRun, tsRun] = both("listing-3.7", packet("http_request"));
    expect(globals(tsRun, ["saddr", "daddr"])).toEqual(globals(luaRun, ["saddr", "daddr"]));
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    const [luaFail, tsFail] = both("listing-3.7", v6);
    expect([luaFail.verdict, tsFail.verdict]).toEqual([0, 0]);
  });

  it("listing-3.8 shifts type and data by 4 bytes on a tagged frame", () => {
    const plain = frame("tftp_rrq");
    const tagged = Buffer.concat([plain.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x05]), plain.subarray(12)]);
    const read = `local f = bytes.to_packet(..., packet_eth_dyn)
      return f:type():get_offset(), f:data():get_offset(), f:vlan():get_size(), f:data(packet_ip):saddr():get()`;
    const results = [`${LISTINGS}/listing-3.8.lua`, `${BUILD}/listing-3_8.lua`].map((script) => {
      const engine = stdEngine();
      engines.push(engine);
      engine.loadScript(0, script);
      return [lua(engine, read, plain), lua(engine, read, tagged)];
    });
    expect(results[0]).toEqual([[12, 14, 0, "127.0.0.1"], [16, 18, 4, "127.0.0.1"]]);
    expect(results[1]).toEqual(results[0]);
  });

  for (const fn of ["process_packet_snat", "process_packet_dnat"]) {
    for (const name of ["http_request", "tftp_rrq", "icmp_echo_request"]) {
      it(`listing-4.1 ${fn} on ${name}`, () => {
        const [luaRun, tsRun] = both("listing-4.1", packet(name), { fn });
        expect(tsRun.verdict).toBe(luaRun.verdict);
        expect(tsRun.packet.equals(luaRun.packet)).toBe(true);
        expect(tsRun.packet.equals(packet(name))).toBe(false);
      });
    }
  }
});

describe("the declarations", () => {
  it("make a misspelt field, a wrong value type, a flag name and a misspelt buffer compile errors", () => {
    const configPath = fileURLToPath(new URL("../tsconfig.listings.json", import.meta.url));
    const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const file = fileURLToPath(new URL("./ts-errors/typo.ts", import.meta.url));
    const program = ts.createProgram([file], { ...config.options, noEmit: true });
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
    const lines = [...new Set(errors.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1))].sort((a, b) => a - b);
    const marked = readFileSync(file, "utf8").split("\n").flatMap((line, i) => (line.includes("// compile error") ? [i + 1] : []));
    expect(marked.length).toBe(6);
    expect(lines).toEqual(marked);
    expect(ts.flattenDiagnosticMessageText(errors[0]!.messageText, "\n")).toMatch(/'sadr' does not exist.*Did you mean 'saddr'/s);
  });
});
