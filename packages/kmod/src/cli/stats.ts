// Formats what `kmod run` reports: per rule, the queue, the content store.
import type { RuleStats } from "../engine.ts";
import type { NfqueueStats, StoreStats } from "../native.ts";

export interface Snapshot {
  pid: number;
  uptimeMs: number;
  rules: RuleStats[];
  queue: NfqueueStats;
  store: StoreStats;
}

export function formatStats(s: Snapshot): string {
  const lines = [`kmod pid ${s.pid}, up ${Math.round(s.uptimeMs / 1000)} s`];
  for (const r of s.rules) {
    const verdicts = Object.entries(r.verdicts).filter(([, n]) => n > 0).map(([v, n]) => `${v.toLowerCase()} ${n}`).join(", ");
    const perPacket = r.packets ? `${(r.luaNs / r.packets / 1000).toFixed(1)} µs/packet` : "-";
    lines.push(`  ${r.name}: ${r.packets} packets (${verdicts || "none"}), ${r.errors} errors, ${perPacket}`);
  }
  const q = s.queue;
  lines.push(`  queue: ${q.received} received, ${q.verdicts} verdicts in ${q.verdictBatches} batches, ${q.modified} modified, ${q.held} held, ${q.released} released, ${q.sent} sent, ${q.enobufs + q.receiveErrors + q.sendErrors} errors`);
  lines.push(`  offload: ${q.gso} GSO packets whole, ${q.checksumsCompleted} checksums completed, ${q.truncated} truncated`);
  if (q.busyPolls > 0) lines.push(`  busy poll: ${q.busyPolls} waits spun, ${q.busyPollHits} ended by a packet`);
  const st = s.store;
  lines.push(`  store: ${st.entries} entries, ${st.bytes} of ${st.budget} bytes, ${st.hits} hits, ${st.misses} misses, ${st.evictions} evictions`);
  return lines.join("\n");
}
