// Parses iptables-like rules: `-A CHAIN <iptables matches> -j LUA --script PATH
// [--function NAME] [--state N] [--fail-verdict drop|accept]`, several per
// command line or one per line of a config file.
import { HOOKS, type FailVerdict, type HookName } from "../verdicts.ts";

export interface CliRule {
  hook: HookName;
  /** The iptables match arguments, passed on as written. */
  matches: string[];
  script: string;
  function: string;
  state: number;
  failVerdict: FailVerdict;
  /** Present an Ethernet header before the IP packet (lua-std's PacketScript link-layer presentation). */
  linkLayer: boolean;
  /** Where it was written, for messages (e.g. "rule 2" or "rules.conf:3"). */
  origin: string;
}

export class RuleSyntaxError extends Error {}

const TARGET_OPTIONS = new Set(["--script", "--function", "--state", "--fail-verdict"]);
/** LUA options without a value. */
const TARGET_FLAGS = new Set(["--link-layer"]);
/** Options iptables itself would take as a target or a command: not matches. */
const NOT_MATCHES = new Set(["-j", "--jump", "-g", "--goto", "-I", "-D", "-F", "-X", "-N", "-P", "-t", "--table"]);

function parseRule(words: string[], origin: string): CliRule {
  const chain = words[1];
  if (!chain) throw new RuleSyntaxError(`${origin}: -A needs a chain (one of ${HOOKS.join(", ")})`);
  if (!HOOKS.includes(chain as HookName)) {
    throw new RuleSyntaxError(`${origin}: unknown chain '${chain}' (want one of ${HOOKS.join(", ")})`);
  }
  const jump = words.findIndex((w) => w === "-j" || w === "--jump");
  if (jump < 0) throw new RuleSyntaxError(`${origin}: missing '-j LUA'`);
  if (words[jump + 1] !== "LUA") throw new RuleSyntaxError(`${origin}: the target must be LUA (got '${words[jump + 1] ?? ""}')`);
  const matches = words.slice(2, jump);
  const misplaced = matches.find((w) => TARGET_OPTIONS.has(w) || TARGET_FLAGS.has(w) || NOT_MATCHES.has(w));
  if (misplaced) throw new RuleSyntaxError(`${origin}: '${misplaced}' belongs after '-j LUA'`);
  const options = new Map<string, string>();
  const flags = new Set<string>();
  const rest = words.slice(jump + 2);
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!;
    if (TARGET_FLAGS.has(name)) {
      flags.add(name);
      i--;
      continue;
    }
    if (!TARGET_OPTIONS.has(name)) {
      throw new RuleSyntaxError(`${origin}: unknown LUA option '${name}' (known: ${[...TARGET_OPTIONS, ...TARGET_FLAGS].join(", ")})`);
    }
    const value = rest[i + 1];
    if (value === undefined || value.startsWith("-")) throw new RuleSyntaxError(`${origin}: ${name} needs a value`);
    if (options.has(name)) throw new RuleSyntaxError(`${origin}: ${name} given twice`);
    options.set(name, value);
  }
  const script = options.get("--script");
  if (!script) throw new RuleSyntaxError(`${origin}: -j LUA needs --script PATH`);
  const state = Number(options.get("--state") ?? "0");
  if (!Number.isInteger(state) || state < 0 || state > 65535) throw new RuleSyntaxError(`${origin}: --state must be an integer 0..65535`);
  const failVerdict = options.get("--fail-verdict") ?? "drop";
  if (failVerdict !== "drop" && failVerdict !== "accept") throw new RuleSyntaxError(`${origin}: --fail-verdict must be drop or accept`);
  const fn = options.get("--function") ?? "process_packet";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fn)) throw new RuleSyntaxError(`${origin}: --function '${fn}' is not a Lua name`);
  return { hook: chain as HookName, matches, script, function: fn, state, failVerdict, linkLayer: flags.has("--link-layer"), origin };
}

/** Splits words at each -A/--append into rules. */
export function parseRules(words: string[], originOf: (index: number) => string = (i) => `rule ${i + 1}`): CliRule[] {
  const rules: CliRule[] = [];
  let current: string[] | undefined;
  const groups: string[][] = [];
  for (const word of words) {
    if (word === "-A" || word === "--append") {
      current = [word];
      groups.push(current);
    } else if (current) {
      current.push(word);
    } else {
      throw new RuleSyntaxError(`unexpected '${word}' before the first -A`);
    }
  }
  groups.forEach((group, i) => rules.push(parseRule(group, originOf(i))));
  return rules;
}

/** Splits a line into words, honouring single and double quotes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** A config file: one rule per line, `#` comments, blank lines ignored. */
export function parseConfig(text: string, file: string): CliRule[] {
  const rules: CliRule[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const words = splitWords(line);
    if (words[0] !== "-A" && words[0] !== "--append") throw new RuleSyntaxError(`${file}:${i + 1}: a rule starts with -A`);
    rules.push(...parseRules(words, () => `${file}:${i + 1}`));
  });
  return rules;
}
