import { describe, expect, it } from "vitest";
import { RuleSyntaxError, parseConfig, parseRules, splitWords } from "../src/cli/rules.ts";

describe("kmod run's rule syntax", () => {
  it("parses iptables-like rules, several per line, matches passed on as written", () => {
    const rules = parseRules(splitWords(
      "-A FORWARD -p udp --dport 69 -m conntrack --ctstate NEW -j LUA --script c.lua --function f --state 2 --fail-verdict accept --link-layer " +
      "-A INPUT -j LUA --script d.lua",
    ));
    expect(rules).toEqual([
      { hook: "FORWARD", matches: ["-p", "udp", "--dport", "69", "-m", "conntrack", "--ctstate", "NEW"], script: "c.lua", function: "f", state: 2, failVerdict: "accept", linkLayer: true, origin: "rule 1" },
      { hook: "INPUT", matches: [], script: "d.lua", function: "process_packet", state: 0, failVerdict: "drop", linkLayer: false, origin: "rule 2" },
    ]);
  });

  it.each([
    ["-A", /needs a chain/],
    ["-A SIDEWAYS -j LUA --script a.lua", /unknown chain 'SIDEWAYS'/],
    ["-A FORWARD -p udp", /missing '-j LUA'/],
    ["-A FORWARD -j ACCEPT", /target must be LUA/],
    ["-A FORWARD -j LUA", /needs --script/],
    ["-A FORWARD -j LUA --script", /--script needs a value/],
    ["-A FORWARD -j LUA --script a.lua --state x", /--state must be an integer/],
    ["-A FORWARD -j LUA --script a.lua --fail-verdict maybe", /drop or accept/],
    ["-A FORWARD -j LUA --script a.lua --function 1x", /not a Lua name/],
    ["-A FORWARD -j LUA --script a.lua --colour red", /unknown LUA option '--colour'/],
    ["-A FORWARD --script a.lua -j LUA", /'--script' belongs after '-j LUA'/],
    ["-A FORWARD -j LUA --script a.lua --script b.lua", /given twice/],
    ["-p udp -A FORWARD -j LUA --script a.lua", /unexpected '-p' before the first -A/],
  ])("%s is refused: %s", (line, message) => {
    expect(() => parseRules(splitWords(line))).toThrow(RuleSyntaxError);
    expect(() => parseRules(splitWords(line))).toThrow(message);
  });

  it("reads a config file: one rule per line, comments, quoted words, and the line of an error", () => {
    const text = "# the cache\n-A FORWARD -p udp -j LUA --script 'my cache.lua'  # all UDP\n\n-A INPUT -j LUA --script b.lua\n";
    expect(parseConfig(text, "rules.conf").map((r) => [r.script, r.origin])).toEqual([["my cache.lua", "rules.conf:2"], ["b.lua", "rules.conf:4"]]);
    expect(() => parseConfig("-A FORWARD -j LUA --script a.lua\n-p udp\n", "rules.conf")).toThrow(/rules\.conf:2: a rule starts with -A/);
    expect(() => parseConfig("-A FORWARD -j NOPE\n", "r.conf")).toThrow(/r\.conf:1: the target must be LUA/);
  });
});
