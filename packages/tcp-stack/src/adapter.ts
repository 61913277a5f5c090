// Binds a TcpStack to the engine: a hook function feeds it the packets it
// owns (others pass on untouched), a single engine timer runs it when
// `pollAt` says, and its segments leave through kmod.send as parts (headers,
// payload), gathered by the engine without a concatenation copy. The
// application sees its sockets through `onSocket` after every step.
import { TcpStack } from "./stack";
import type { TcpSocket } from "./socket";
import { encodeIPv4Tcp, parseIPv4Tcp } from "./wire";

export type SocketHandler = (sock: TcpSocket, events: number, accepted: boolean) => void;

export class EngineAdapter {
  private timer = -1;
  private timerAt = -1;
  packetsIn = 0;
  packetsOut = 0;
  passed = 0;

  constructor(readonly stack: TcpStack, private readonly onSocket: SocketHandler) {}

  /** The hook: NF_DROP for packets the stack took (it answers them itself), NF_ACCEPT for the rest. */
  hook(p: Packet): Verdict {
    const [seg] = parseIPv4Tcp(p.string());
    if (seg === undefined || !this.stack.owns(seg)) {
      this.passed += 1;
      return NF_ACCEPT;
    }
    this.packetsIn += 1;
    const sock = this.stack.input(seg, kmod.now_us());
    if (sock !== undefined) this.notify(sock, false);
    this.flush();
    return NF_DROP;
  }

  /**
   * Sends what the stack has to send, then gives the application the news of
   * every socket that ran (accepted, data, writable, closed); what it writes
   * goes out in a second round.
   */
  flush(): void {
    const now = kmod.now_us();
    for (let round = 0; round < 2; round++) {
      for (const seg of this.stack.poll(now)) {
        kmod.send(encodeIPv4Tcp(seg));
        this.packetsOut += 1;
      }
      let acted = false;
      for (const sock of this.stack.accept()) acted = this.notify(sock, true) || acted;
      for (const sock of this.stack.lastPolled()) acted = this.notify(sock, false) || acted;
      if (!acted) break;
    }
    this.arm(now);
  }

  /** Gives the application a socket's events, if it has any; true when it did. */
  notify(sock: TcpSocket, accepted: boolean): boolean {
    const events = sock.takeEvents();
    if (events === 0 && !accepted) return false;
    this.onSocket(sock, events, accepted);
    return true;
  }

  private arm(now: number): void {
    const at = this.stack.pollAt();
    if (at < 0) return;
    if (this.timer >= 0 && this.timerAt <= at) return;
    if (this.timer >= 0) kmod.cancel(this.timer);
    this.timerAt = at;
    this.timer = kmod.timer_us(Math.max(at - now, 0), () => {
      this.timer = -1;
      this.timerAt = -1;
      this.flush();
    });
  }
}
