// tcp-stack: a sans-I/O TCP (RFC 9293) for kcache, compiled to Lua.
export const VERSION = "0.1.0";

export { seqAdd, seqDiff, seqLt, seqLe, seqGt, seqGe, seqMax, seqMin, seqInWindow } from "./seq";
export { FIN, SYN, RST, PSH, ACK, URG, segmentLength, describeSegment, type TcpSegment } from "./segment";
export { parseOptions, buildOptions } from "./options";
export { parseIPv4Tcp, encodeHeaders, encodeIPv4Tcp, pseudoHeaderSum } from "./wire";
export { DEFAULT_CONFIG, resolveConfig, type TcpConfig } from "./config";
export { RttEstimator } from "./rtt";
export { Reno, initialWindow, registerCongestionControl, createCongestionControl, type CongestionControl } from "./congestion";
export { SendBuffer, ReceiveQueue, Reassembler, SackScoreboard } from "./buffers";
export { IsnGenerator, siphash24 } from "./isn";
export {
  TcpSocket, TcpState, STATE_NAMES, resetFor, type TcpStats,
  EV_CONNECTED, EV_READABLE, EV_WRITABLE, EV_PEER_CLOSED, EV_CLOSED, EV_RESET, EV_TIMEOUT,
} from "./socket";
export * from "./driver";
export { tcp_loopback_transfer, type LoopbackOptions } from "./loopback";
export { tcp_bench_prepare, tcp_bench_run } from "./bench";
export { TcpStack, type StackConfig, type StackStats, type Acceptor } from "./stack";
export { EngineAdapter, type SocketHandler } from "./adapter";
export { tcp_server_start, tcp_server_hook, tcp_server_stats, type FileServerOptions } from "./file-server";
export { CHUNK_BYTES, contentChunk, contentRange } from "./content";
export { tcp_bench_start, tcp_bench_hook, tcp_bench_fetch, tcp_bench_trigger, type HttpBenchOptions } from "./http-bench";
