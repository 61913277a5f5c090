// A UDP helper run inside a namespace:
//   node udp.mjs listen PORT COUNT TIMEOUT_MS   prints each datagram as "from:port payload" (JSON lines)
//   node udp.mjs send HOST PORT PAYLOAD [WAIT_MS] sends one datagram, prints replies received within WAIT_MS
import dgram from "node:dgram";

const [mode, a, b, c, d] = process.argv.slice(2);
const socket = dgram.createSocket("udp4");
const print = (msg, rinfo) => console.log(JSON.stringify({ from: rinfo.address, port: rinfo.port, payload: msg.toString("latin1") }));
if (mode === "listen") {
  let left = Number(b);
  socket.on("message", (msg, rinfo) => {
    print(msg, rinfo);
    if (--left <= 0) process.exit(0);
  });
  socket.bind(Number(a), () => console.log(JSON.stringify({ listening: Number(a) })));
  setTimeout(() => process.exit(2), Number(c));
} else if (mode === "send") {
  socket.on("message", print);
  socket.bind(0, () => {
    socket.send(Buffer.from(c, "latin1"), Number(b), a, () => setTimeout(() => process.exit(0), Number(d ?? 0)));
  });
} else {
  console.error("usage: udp.mjs listen PORT COUNT TIMEOUT_MS | send HOST PORT PAYLOAD [WAIT_MS]");
  process.exit(1);
}
