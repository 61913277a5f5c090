// lua-std: PacketScript's scripting API (thesis chapter 3) for kcache.
// Executing the bundle installs the PacketScript globals (packet_raw,
// packet_eth, ..., bytes, nf, register_dynamic_protbuf) and adds the raw
// object methods to the engine's packets, so the thesis' listings run
// unchanged after it; it also returns this module's exports for TypeScript.

import { protocols } from "./core";
import { bytes } from "./bytes";
import { nf, lua_std_deliver, DELIVER } from "./nf";
import { register_dynamic_protbuf } from "./dynamic";
import { installPacketMethods, packetscript_link_layer } from "./packet";
import { packet_eth } from "./protocols/eth";
import { packet_ip } from "./protocols/ip";
import { packet_icmp } from "./protocols/icmp";
import { packet_udp } from "./protocols/udp";
import { packet_tcp, packet_tcp_opt } from "./protocols/tcp";
import { packet_tftp } from "./protocols/tftp";
import { packet_http } from "./protocols/http";
import { packet_raw } from "./protocols/raw";

export * from "./core";
export * from "./lifetime";
export * from "./checksum";
export * from "./bits";
export * from "./util";
export * from "./fields";
export * from "./bytes";
export * from "./nf";
export * from "./build";
export * from "./dynamic";
export * from "./packet";
export * from "./link-layer";
export * from "./protocols/eth";
export * from "./protocols/ip";
export * from "./protocols/icmp";
export * from "./protocols/udp";
export * from "./protocols/tcp";
export * from "./protocols/tftp";
export * from "./protocols/http";
export * from "./protocols/raw";

export const VERSION = "0.1.0";

type PacketRaw = typeof packet_raw;
type PacketEth = typeof packet_eth;
type PacketIp = typeof packet_ip;
type PacketIcmp = typeof packet_icmp;
type PacketUdp = typeof packet_udp;
type PacketTcp = typeof packet_tcp;
type PacketTcpOpt = typeof packet_tcp_opt;
type PacketTftp = typeof packet_tftp;
type PacketHttp = typeof packet_http;
type BytesLibrary = typeof bytes;
type NfLibrary = typeof nf;
type RegisterDynamic = typeof register_dynamic_protbuf;
type LinkLayerOption = typeof packetscript_link_layer;

/** The PacketScript globals the bundle installs, for TypeScript scripts loaded after it. */
declare global {
  const packet_raw: PacketRaw;
  const packet_eth: PacketEth;
  const packet_ip: PacketIp;
  const packet_icmp: PacketIcmp;
  const packet_udp: PacketUdp;
  const packet_tcp: PacketTcp;
  const packet_tcp_opt: PacketTcpOpt;
  const packet_tftp: PacketTftp;
  const packet_http: PacketHttp;
  const bytes: BytesLibrary;
  const nf: NfLibrary;
  const register_dynamic_protbuf: RegisterDynamic;
  const packetscript_link_layer: LinkLayerOption;
}

/** Installs the PacketScript globals into this Lua state (done when the bundle runs). */
export function install(): void {
  const G = _G as unknown as LuaTable<string, unknown>;
  G.set("packet_raw", packet_raw);
  G.set("packet_eth", packet_eth);
  G.set("packet_ip", packet_ip);
  G.set("packet_icmp", packet_icmp);
  G.set("packet_udp", packet_udp);
  G.set("packet_tcp", packet_tcp);
  G.set("packet_tcp_opt", packet_tcp_opt);
  G.set("packet_tftp", packet_tftp);
  G.set("packet_http", packet_http);
  G.set("supported_protocols", protocols);
  G.set("bytes", bytes);
  G.set("nf", nf);
  G.set("register_dynamic_protbuf", register_dynamic_protbuf);
  G.set("packetscript_link_layer", packetscript_link_layer);
  G.set(DELIVER, lua_std_deliver);
  installPacketMethods();
}

install();
