// Per-socket settings and their defaults. Times are integer microseconds,
// sizes bytes.

export interface TcpConfig {
  /** MSS we advertise and the largest we send (RFC 9293 §3.7.1): MTU 1500 minus 40. */
  mss: number;
  /** Receive buffer: bounds the advertised window and the out-of-order data. */
  recvBufferSize: number;
  /**
   * Send buffer: `write` accepts at most this many unacknowledged bytes at
   * first. ACKs that find the sender limited by the buffer rather than by
   * cwnd grow it to twice cwnd, up to `sendBufferMax`, so that a fast path
   * is not held back by it (Linux's autotuning, tcp_sndbuf_expand).
   */
  sendBufferSize: number;
  sendBufferMax: number;
  /** RFC 7323 window scaling, timestamps (with PAWS), RFC 2018 SACK. */
  windowScaling: boolean;
  timestamps: boolean;
  sack: boolean;
  /** RFC 896 / RFC 9293 §3.7.4 Nagle algorithm. */
  nagle: boolean;
  /** RFC 9293 §3.8.6.3 / RFC 5681 §4.2 delayed ACKs: every second full segment, or after `ackDelayUs`. */
  delayedAck: boolean;
  ackDelayUs: number;
  /** RFC 6298 timer bounds. */
  initialRtoUs: number;
  minRtoUs: number;
  maxRtoUs: number;
  granularityUs: number;
  /** RFC 6928 initial window, in segments. */
  initialWindowSegments: number;
  /** TIME-WAIT length, 2*MSL (RFC 9293 §3.4.2; Linux uses 60 s). */
  timeWaitUs: number;
  /** How long FIN-WAIT-2 may wait for the peer's FIN before the connection is dropped (Linux: 60 s). */
  finWait2TimeoutUs: number;
  /** Give up after this many retransmission timeouts of a SYN / of data (RFC 9293 §3.8.3 R2). */
  maxSynRetries: number;
  maxRetries: number;
  /** RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6 keep-alive: idle time before the first probe (0: off), probe interval, probes before giving up. */
  keepAliveUs: number;
  keepAliveIntervalUs: number;
  keepAliveProbes: number;
  /** Bound on the out-of-order blocks held for reassembly. */
  maxOutOfOrderBlocks: number;
  /**
   * Segmentation offload: when > 0, data segments may carry up to this many
   * payload bytes (a whole number of MSS), to be cut by the engine/kernel
   * (GSO). 0: one MSS per segment.
   */
  segmentOffloadBytes: number;
  /** Congestion control algorithm by name ("cubic", "reno"; others via registerCongestionControl). */
  congestion: string;
  /** RFC 9406 HyStart++ in the initial slow start (either algorithm). */
  hystart: boolean;
  /**
   * RFC 8985 RACK-TLP loss detection (with SACK): losses by time, lost
   * retransmissions, tail loss probes. Off: RFC 6675's duplicate-ACK counting.
   */
  rack: boolean;
  /** RFC 3042 limited transmit: new data on the first two duplicate ACKs (with SACK: as RFC 6675's pipe allows). */
  limitedTransmit: boolean;
  /** RFC 5961 §7: at most this many challenge ACKs per interval. */
  challengeAckLimit: number;
  challengeAckIntervalUs: number;
  /** A fixed initial sequence number (tests); otherwise RFC 6528. */
  iss?: number;
}

export const DEFAULT_CONFIG: TcpConfig = {
  mss: 1460,
  recvBufferSize: 256 * 1024,
  sendBufferSize: 256 * 1024,
  sendBufferMax: 4 * 1024 * 1024,
  windowScaling: true,
  timestamps: true,
  sack: true,
  nagle: true,
  delayedAck: true,
  ackDelayUs: 40_000,
  initialRtoUs: 1_000_000,
  minRtoUs: 200_000,
  maxRtoUs: 60_000_000,
  granularityUs: 1_000,
  initialWindowSegments: 10,
  timeWaitUs: 60_000_000,
  finWait2TimeoutUs: 60_000_000,
  maxSynRetries: 6,
  maxRetries: 15,
  keepAliveUs: 0,
  keepAliveIntervalUs: 75_000_000,
  keepAliveProbes: 9,
  maxOutOfOrderBlocks: 64,
  segmentOffloadBytes: 0,
  congestion: "cubic",
  hystart: false,
  rack: true,
  limitedTransmit: true,
  // Linux's per-socket limit (tcp_invalid_ratelimit): one per half second. Per socket, not
  // global: a global counter is an off-path side channel (CVE-2016-5696).
  challengeAckLimit: 1,
  challengeAckIntervalUs: 500_000,
};

/** The defaults overridden by the fields `overrides` sets. */
export function resolveConfig(overrides?: Partial<TcpConfig>): TcpConfig {
  const config = { ...DEFAULT_CONFIG };
  if (overrides !== undefined) {
    for (const [key, value] of pairs(overrides as unknown as LuaTable<string, unknown>)) {
      (config as unknown as LuaTable<string, unknown>).set(key, value);
    }
  }
  return config;
}
