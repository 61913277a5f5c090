// When each connection next needs to run, in a binary min-heap: the
// connection table finds the due ones and the earliest time without looking
// at every connection (a scan per packet made a full SYN backlog cost a
// millisecond per packet). Entries are (time, item); an item rescheduled
// leaves its old entry behind, which the owner recognises as stale.

export class TimerHeap<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  push(at: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let i = times.length;
    times.push(at);
    items.push(item);
    // Sift up.
    while (i > 0) {
      const parent = idiv(i - 1, 2);
      if (times[parent] <= at) break;
      times[i] = times[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = at;
    items[i] = item;
  }

  /** The earliest time, or -1 when empty. */
  peekTime(): number {
    return this.times.length > 0 ? this.times[0] : -1;
  }

  peekItem(): T {
    return this.items[0];
  }

  /** Removes the earliest entry. */
  pop(): void {
    const times = this.times;
    const items = this.items;
    const last = times.length - 1;
    const at = times[last];
    const item = items[last];
    times.pop();
    items.pop();
    if (last === 0) return;
    // Sift the former last entry down from the root.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && times[child + 1] < times[child]) child += 1;
      if (times[child] >= at) break;
      times[i] = times[child];
      items[i] = items[child];
      i = child;
    }
    times[i] = at;
    items[i] = item;
  }
}
