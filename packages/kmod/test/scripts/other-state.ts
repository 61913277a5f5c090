// A second script: it sees the globals of its own state only.
export function read_counter(_p: Packet): Verdict {
  const g = _G as unknown as { counter?: number };
  return g.counter === undefined ? NF_DROP : NF_ACCEPT;
}
