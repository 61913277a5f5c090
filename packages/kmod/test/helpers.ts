import { fileURLToPath } from "node:url";
import { udp } from "../src/index.ts";

export const BUILD = fileURLToPath(new URL("./.build/", import.meta.url));
export const LUA = fileURLToPath(new URL("./lua/", import.meta.url));
export const BEHAVIOURS = `${BUILD}behaviours.lua`;

/** A UDP packet client -> origin whose payload starts with `code`. */
export function packetWith(code: number, rest = "payload"): Buffer {
  return udp({
    src: "198.18.1.2", dst: "198.18.2.2", sport: 40000, dport: 69,
    payload: Buffer.concat([Buffer.from([code]), Buffer.from(rest, "latin1")]),
  });
}
