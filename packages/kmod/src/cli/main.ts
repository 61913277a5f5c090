// kmod: loads Lua bundles into the Linux packet path.
//
//   kmod run [options] -A CHAIN <matches> -j LUA --script PATH [...] [-A ...]
//   kmod cleanup
//   kmod stats
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { Engine } from "../engine.ts";
import { closeStats, request, serveControl } from "./control.ts";
import { CONTINUE_MARK, IptablesError, MAX_RULES, SENT_MARK, installRules, removeAll } from "./iptables.ts";
import { RuleSyntaxError, parseConfig, parseRules, type CliRule } from "./rules.ts";
import { formatStats, type Snapshot } from "./stats.ts";

const RULE_HELP = `
Rules (after the options; iptables syntax, any number of -A):
  -A CHAIN [iptables matches] -j LUA --script PATH [--function NAME] [--state N] [--fail-verdict drop|accept] [--link-layer]

  CHAIN          PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING
  matches        anything iptables accepts, e.g. -p udp --dport 69, -s 198.18.1.0/24, -i veth0,
                 -m conntrack --ctstate ESTABLISHED
  --script       the Lua bundle (e.g. packages/tftp-cache/dist/tftp-cache.lua)
  --function     the function called per packet (default process_packet)
  --state        the Lua state id; rules on one state share its globals (default 0)
  --fail-verdict the verdict when the script fails: drop (default) or accept
  --link-layer   present an Ethernet header before the IP packet, so PacketScript scripts that
                 start at p:data(packet_eth) run unchanged (needs lua-std: --load STATE:lua-std.lua)

Examples:
  kmod run -A FORWARD -p udp -j LUA --script packages/tftp-cache/dist/tftp-cache.lua
  kmod run --load 0:packages/lua-std/dist/lua-std.lua -A FORWARD -p icmp -j LUA --script nat.lua --function snat
  kmod run --load 0:packages/lua-std/dist/lua-std.lua -A FORWARD -j LUA --script listing.lua --link-layer
  kmod run --config rules.conf      # one rule per line, # comments

kmod installs NFQUEUE rules (with --queue-bypass) in chains of its own (mangle table,
KCACHE-<CHAIN>) in the network namespace it runs in, and removes them when it stops
(Ctrl-C, SIGTERM, or a failure). It uses the mark bits 0xffff0000.`;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface RunOptions {
  config?: string;
  timeBudget?: number;
  memoryBudget?: number;
  queueBase: number;
  load: string[];
  call: string[];
  statsInterval: number;
  storeBudget?: number;
  maxEntry?: number;
  queueMaxlen: number;
  failOpen: boolean;
  segmentGso: boolean;
  busyPoll: number;
  quiet: boolean;
}

class UsageError extends Error {}

function parseLoad(spec: string): { state: number; path: string } {
  const m = /^(\d+):(.+)$/.exec(spec);
  if (!m) throw new UsageError(`--load wants STATE:PATH (got '${spec}')`);
  return { state: Number(m[1]), path: m[2]! };
}

function parseCall(spec: string): { state: number; name: string; args: unknown[] } {
  const m = /^(\d+):([A-Za-z_][A-Za-z0-9_]*)(?::(.*))?$/.exec(spec);
  if (!m) throw new UsageError(`a call is written STATE:FUNCTION[:JSON-ARGUMENT] (got '${spec}')`);
  let args: unknown[] = [];
  if (m[3] !== undefined) {
    try {
      args = [JSON.parse(m[3])];
    } catch {
      throw new UsageError(`--call ${m[2]}: the argument is not JSON: ${m[3]}`);
    }
  }
  return { state: Number(m[1]), name: m[2]!, args };
}

async function run(options: RunOptions, ruleWords: string[]): Promise<number> {
  const rules: CliRule[] = [...parseRules(ruleWords)];
  if (options.config) {
    if (!existsSync(options.config)) throw new UsageError(`--config ${options.config}: no such file`);
    rules.push(...parseConfig(readFileSync(options.config, "utf8"), options.config));
  }
  if (rules.length === 0) throw new UsageError("no rules: give at least one -A ... -j LUA --script PATH (see --help)");
  if (rules.length > MAX_RULES) throw new UsageError(`at most ${MAX_RULES} rules`);
  for (const rule of rules) if (!existsSync(rule.script)) throw new UsageError(`${rule.origin}: --script ${rule.script}: no such file`);
  const loads = options.load.map(parseLoad);
  for (const load of loads) if (!existsSync(load.path)) throw new UsageError(`--load ${load.path}: no such file`);
  const calls = options.call.map(parseCall);

  // Everything that can fail on bad input happens before a rule is installed.
  const engine = Engine.nfqueue({
    queueMaxlen: options.queueMaxlen, failOpen: options.failOpen, segmentGso: options.segmentGso, busyPollUs: options.busyPoll, continueMark: CONTINUE_MARK, sentMark: SENT_MARK,
    logToStderr: !options.quiet,
  });
  let installed = false;
  let stopped = false;
  const teardown = (): void => {
    if (stopped) return;
    stopped = true;
    if (installed) removeAll();
    engine.close();
  };
  const stop = (code: number): never => {
    teardown();
    process.exit(code);
  };
  /** Loads libraries, inserts the rules and runs the --call functions; again on reload. */
  const ruleIds: number[] = [];
  const states = new Set([...loads.map((l) => l.state), ...rules.map((r) => r.state)]);
  const loadScripts = (): void => {
    if (options.timeBudget || options.memoryBudget) {
      for (const state of states) engine.setBudgets(state, { timeMs: options.timeBudget, memoryBytes: options.memoryBudget });
    }
    for (const load of loads) engine.loadScript(load.state, load.path);
    rules.forEach((rule, index) => {
      try {
        ruleIds.push(engine.insertRule({
          name: `${rule.origin} (${rule.hook} ${rule.matches.join(" ")})`.replace(/ \)$/, ")"), hook: rule.hook,
          script: rule.script, function: rule.function, state: rule.state, failVerdict: rule.failVerdict,
          queue: options.queueBase + index,
        }));
      } catch (error) {
        throw new UsageError(`${rule.origin}: ${(error as Error).message.split("\n")[0]}`);
      }
    });
    for (const state of new Set(rules.filter((r) => r.linkLayer).map((r) => r.state))) {
      try {
        engine.call(state, "packetscript_link_layer", [true]);
      } catch {
        throw new UsageError(`--link-layer needs lua-std loaded into state ${state} (--load ${state}:packages/lua-std/dist/lua-std.lua)`);
      }
    }
    for (const call of calls) {
      try {
        engine.call(call.state, call.name, call.args);
      } catch (error) {
        throw new UsageError(`--call ${call.name}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  };
  /** Drops every state (their Lua globals and timers); the content store and held packets stay. */
  const unloadScripts = (): void => {
    for (const id of ruleIds.splice(0)) engine.deleteRule(id);
    for (const load of loads) engine.unloadScript(load.state, load.path);
  };
  try {
    if (options.storeBudget || options.maxEntry) engine.configureStore({ budgetBytes: options.storeBudget, maxEntryBytes: options.maxEntry });
    loadScripts();
    engine.start();
    installRules(rules.map((rule, index) => ({ hook: rule.hook, matches: rule.matches, queue: options.queueBase + index, index, origin: rule.origin })));
    installed = true;
  } catch (error) {
    engine.close();
    throw error;
  }

  /* While the scripts reload, packets of a queue without a rule are accepted. */
  const reload = (): { reloaded: number } | { error: string } => {
    try {
      unloadScripts();
      loadScripts();
      process.stdout.write(`kmod: reloaded ${rules.length} rule(s)\n`);
      return { reloaded: rules.length };
    } catch (error) {
      const message = (error as Error).message.split("\n")[0] ?? "";
      process.stderr.write(`kmod: reload failed, the rules without a script accept: ${message}\n`);
      return { error: message };
    }
  };

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(0));
  process.on("uncaughtException", (error) => {
    process.stderr.write(`kmod: ${error.message}\n`);
    stop(1);
  });
  const started = Date.now();
  const snapshot = (): Snapshot => ({
    pid: process.pid, uptimeMs: Date.now() - started, rules: engine.stats(), queue: engine.nfqueueStats(), store: engine.storeStats(),
  });
  const callFunction = (spec: string): unknown => {
    try {
      const call = parseCall(spec);
      return { results: engine.call(call.state, call.name, call.args) };
    } catch (error) {
      return { error: (error as Error).message.split("\n")[0] };
    }
  };
  const server = serveControl({ stats: snapshot, reload, call: callFunction });
  process.on("exit", () => {
    closeStats(server);
    teardown();
  });
  process.stdout.write(`kmod: ${rules.length} rule(s) on queues ${options.queueBase}..${options.queueBase + rules.length - 1}; Ctrl-C stops and removes them\n`);
  if (options.statsInterval > 0) {
    setInterval(() => process.stdout.write(`${formatStats(snapshot())}\n`), options.statsInterval * 1000);
  }
  await new Promise(() => {}); // until a signal
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("kmod")
    .description("Load Lua bundles into the Linux packet path (NFQUEUE)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const runCommand = program
    .command("run")
    .description("insert rules and run their scripts on packets until stopped")
    .option("--config <file>", "read rules from a file, one per line")
    .option("--queue-base <n>", "first NFQUEUE number", integer("--queue-base", 0, 65000), 7000)
    .option("--load <state:path>", "load a bundle into a state before the rules (repeatable)", collect, [])
    .option("--call <state:function[:json]>", "call a function after loading, e.g. 0:configure:{\"ttl_ms\":60000} (repeatable)", collect, [])
    .option("--stats-interval <s>", "print stats every s seconds (0: never)", integer("--stats-interval", 0, 86400), process.stdout.isTTY ? 5 : 0)
    .option("--store-budget <bytes>", "the content store's byte budget", integer("--store-budget", 1, Number.MAX_SAFE_INTEGER))
    .option("--max-entry <bytes>", "the largest entry the content store keeps", integer("--max-entry", 1, Number.MAX_SAFE_INTEGER))
    .option("--queue-maxlen <n>", "packets each queue may hold in the kernel", integer("--queue-maxlen", 1, 1 << 20), 4096)
    .option("--time-budget <ms>", "CPU time a script may take per packet or timer before its call fails (default 50)", integer("--time-budget", 1, 60_000))
    .option("--memory-budget <bytes>", "Lua memory per state and context (default 64 MiB)", integer("--memory-budget", 1 << 20, Number.MAX_SAFE_INTEGER))
    .option("--fail-open", "let the kernel accept packets when a queue is full (default: drop)", false)
    .option("--busy-poll <µs>", "after a batch that sent packets or let packets go on, wait up to this long for the next packet without sleeping, while they come within it on average: a lock-step flow skips the wake-up latency (default 0: off)", integer("--busy-poll", 0, 1_000_000), 0)
    .option("--segment-gso", "let the kernel cut GSO packets to MTU size before queueing (default: scripts get them whole, up to 64 KiB)", false)
    .option("-q, --quiet", "no engine log lines (script errors) on stderr", false)
    .addHelpText("after", RULE_HELP);

  program.command("cleanup").description("remove the chains and rules a killed kmod left in this network namespace");
  program.command("stats").description("print the stats of the kmod running in this network namespace").option("--json", "as JSON");
  program.command("reload").description("reload the scripts of the kmod running in this network namespace (the content store keeps its entries)");
  program.command("call").argument("<state:function[:json]>", "e.g. 0:stats or 0:configure:{\"ttl_ms\":1000}")
    .description("call a Lua function in the running kmod of this network namespace and print its results as JSON");

  const first = argv.findIndex((w) => w === "-A" || w === "--append");
  const head = first < 0 ? argv : argv.slice(0, first);
  const ruleWords = first < 0 ? [] : argv.slice(first);
  try {
    program.parse(head, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const [name] = program.args;
  if (name === "run") return run(runCommand.opts<RunOptions>(), ruleWords);
  if (ruleWords.length) throw new UsageError(`rules (-A) belong to 'kmod run'`);
  if (name === "cleanup") {
    const removed = removeAll();
    process.stdout.write(removed.length ? `kmod: removed ${removed.join(", ")}\n` : "kmod: nothing to remove\n");
    return 0;
  }
  if (name === "reload") {
    const answer = (await request("reload")) as { reloaded?: number; error?: string };
    if (answer.error !== undefined) throw new UsageError(`reload failed: ${answer.error}`);
    process.stdout.write(`kmod: reloaded ${answer.reloaded} rule(s)\n`);
    return 0;
  }
  if (name === "call") {
    const spec = program.args[1] ?? "";
    parseCall(spec);
    const answer = (await request(`call ${spec}`)) as { results?: unknown[]; error?: string };
    if (answer.error !== undefined) throw new UsageError(`call failed: ${answer.error}`);
    process.stdout.write(`${JSON.stringify(answer.results)}\n`);
    return 0;
  }
  if (name === "stats") {
    const stats = (await request("stats")) as Snapshot;
    const json = program.commands.find((c) => c.name() === "stats")!.opts<{ json?: boolean }>().json;
    process.stdout.write(json ? `${JSON.stringify(stats, null, 2)}\n` : `${formatStats(stats)}\n`);
    return 0;
  }
  program.help();
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof RuleSyntaxError || error instanceof IptablesError;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    process.stderr.write(`kmod: ${message}\n`);
    if (!known && error instanceof Error && process.env.KMOD_DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exit(known ? 2 : 1);
  },
);
