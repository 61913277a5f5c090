// iperf3: bulk TCP throughput from the client to the origin for a fixed
// time (-t), with a given write size (-l): the thesis' "block size" for a
// stream, where NetPIPE's is a ping-pong.
import { ADDR, sleep, type Lab } from "@kcache/netlab";

export interface IperfResult {
  blockBytes: number;
  /** What the receiver got, in Mbit/s. */
  mbps: number;
  /** Retransmitted segments at the sender. */
  retransmits: number;
}

let instance = 0;

export async function runIperf(lab: Lab, blockBytes: number, seconds: number): Promise<IperfResult> {
  const port = String(5201 + (++instance % 100));
  const server = lab.spawnDaemon("origin", "iperf3", ["-s", "-1", "-B", ADDR.origin, "-p", port], { what: `iperf3-${instance}` });
  try {
    await sleep(300);
    const r = await lab.exec("client", "iperf3", ["-c", ADDR.origin, "-p", port, "-l", String(blockBytes), "-t", String(seconds), "--json"], {
      timeoutMs: (seconds + 20) * 1000,
    });
    const json = JSON.parse(r.stdout || "{}") as {
      end?: { sum_received?: { bits_per_second: number }; sum_sent?: { retransmits?: number } };
      error?: string;
    };
    const received = json.end?.sum_received;
    if (r.code !== 0 || !received) throw new Error(`iperf3: ${json.error ?? r.stderr.trim()}`);
    return { blockBytes, mbps: received.bits_per_second / 1e6, retransmits: json.end?.sum_sent?.retransmits ?? 0 };
  } finally {
    lab.stopDaemon(server);
  }
}
