// What netem's configure() takes back and stats() reports: shared by the
// bundle and by netlab's Node side (plain types, nothing Lua-specific).

export interface NetemConfig {
  /** Added delay, ms. */
  delay_ms: number;
  /** Each packet's delay is uniform in [delay - jitter, delay + jitter] (µs steps, never below 0). */
  jitter_ms: number;
  /** Loss, in thousandths (loss_percent n is stored as 10 n). */
  loss_permille: number;
  /** Whether a packet may overtake an earlier one of the same direction (jitter only). */
  reorder: boolean;
  /** Most packets held at once; more are dropped (counted as overflow). */
  limit: number;
  /** Seed of netem's own generator; absent: kmod.random32. */
  seed?: number;
}

export interface NetemStats {
  /** Packets the hook was called with. */
  seen: number;
  /** Accepted at once (their delay was 0 and nothing of their direction was waiting). */
  passed: number;
  /** Held to be released later. */
  delayed: number;
  /** Dropped: lost + overflow. */
  dropped: number;
  /** Dropped by the loss draw. */
  lost: number;
  /** Dropped because `limit` packets were held (or the engine refused to hold more). */
  overflow: number;
  /** Held packets given NF_ACCEPT. */
  released: number;
  /** Releases the engine refused (the packet had a verdict already). */
  release_failed: number;
  /** Held right now. */
  held: number;
  /** Directions with packets waiting (FIFO mode). */
  queues: number;
}
