// tcp-stack: a sans-I/O TCP (RFC 9293) for kcache, compiled to Lua.
export const VERSION = "0.1.0";

export { seqAdd, seqDiff, seqLt, seqLe, seqGt, seqGe, seqMax, seqMin, seqInWindow } from "./seq";
export {
  FIN, SYN, RST, PSH, ACK, URG, segmentLength, describeSegment, payloadLength, payloadString, type Payload, type TcpSegment,
} from "./segment";
export { parseOptions, buildOptions } from "./options";
export { parseIPv4Tcp, encodeHeaders, encodeIPv4Tcp, encodePacket, packetParts, pseudoHeaderSum } from "./wire";
export { DEFAULT_CONFIG, resolveConfig, type TcpConfig } from "./config";
export { RttEstimator } from "./rtt";
export {
  Reno, initialWindow, registerCongestionControl, createCongestionControl, type CongestionControl, type AckSample, type CongestionOptions,
} from "./congestion";
export { Cubic, cubicRoot } from "./cubic";
export { HyStart } from "./hystart";
export { SendBuffer, ReceiveQueue, Reassembler } from "./buffers";
export { SentQueue, type SentRun } from "./sent-queue";
export { Rack } from "./rack";
export { TailLossProbe } from "./tlp";
export { IsnGenerator, siphash24 } from "./isn";
export { SynCookies, COOKIE_MSS, type CookieGrant } from "./syn-cookies";
export {
  TcpSocket, TcpState, STATE_NAMES, resetFor, type TcpStats,
  EV_CONNECTED, EV_READABLE, EV_WRITABLE, EV_PEER_CLOSED, EV_CLOSED, EV_RESET, EV_TIMEOUT,
} from "./socket";
export * from "./driver";
export { cc_new, cc_ack, cc_loss, cc_rto, cc_info, cc_rounds, cc_cubic_root } from "./congestion-driver";
export { tcp_loopback_transfer, type LoopbackOptions } from "./loopback";
export { tcp_bench_prepare, tcp_bench_run } from "./bench";
export { TcpStack, type StackConfig, type StackStats, type Acceptor } from "./stack";
export { EngineAdapter, type SocketHandler } from "./adapter";
export { tcp_server_start, tcp_server_hook, tcp_server_stats, type FileServerOptions } from "./file-server";
export { CHUNK_BYTES, contentChunk, contentRange } from "./content";
export { tcp_bench_start, tcp_bench_hook, tcp_bench_fetch, tcp_bench_trigger, tcp_bench_stats, type HttpBenchOptions } from "./http-bench";
export { tcp_bench_syn_flood, type SynFloodOptions } from "./syn-flood";
