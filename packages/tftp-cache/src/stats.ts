// The cache's counters (the `stats()` export), shared by the hook and the
// hit path's senders.

export interface Stats {
  hits: number;
  misses: number;
  /** File bytes sent in DATA by hits (retransmissions included). */
  bytes_served: number;
  data_sent: number;
  /** Hits that ended after their last ACK. */
  served: number;
  recorded: number;
  record_aborts: number;
  /** ERROR messages the cache sent. */
  errors_sent: number;
  /** Requests or messages that could not be parsed (truncated, malformed). */
  malformed: number;
  unknown_tid: number;
  bad_acks: number;
  duplicate_acks: number;
  duplicate_requests: number;
  retransmissions: number;
  timeouts: number;
  /** Requests passed to the origin without recording: table full, uncacheable, mail mode, already being recorded. */
  passed: number;
  /** Requests passed because the transfer tables were full. */
  overload: number;
  invalidated: number;
  send_failures: number;
  /** Hits whose link-layer send failed and that went on through the IP output path. */
  link_layer_fallbacks: number;
  /** UDP-GSO super-datagrams hits sent (each several DATA blocks of a window in one send). */
  gso_sends: number;
  /** Hits whose UDP-GSO send failed and that went on with one send per block. */
  gso_fallbacks: number;
  transfers_active: number;
  recordings_active: number;
}

function zeroStats(): Stats {
  return {
    hits: 0, misses: 0, bytes_served: 0, data_sent: 0, served: 0, recorded: 0, record_aborts: 0, errors_sent: 0,
    malformed: 0, unknown_tid: 0, bad_acks: 0, duplicate_acks: 0, duplicate_requests: 0, retransmissions: 0,
    timeouts: 0, passed: 0, overload: 0, invalidated: 0, send_failures: 0, link_layer_fallbacks: 0, gso_sends: 0,
    gso_fallbacks: 0, transfers_active: 0, recordings_active: 0,
  };
}

export const counters: Stats = zeroStats();
/** Why recordings were aborted, reason -> count. */
export const abortReasons = new LuaTable<string, number>();
