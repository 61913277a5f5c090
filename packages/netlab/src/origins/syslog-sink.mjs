// A tiny syslog listener for in.tftpd, which only logs through syslog(3).
// usage: node syslog-sink.mjs SOCKET_PATH OUT_FILE
// It listens on a Unix *stream* socket: glibc's syslog falls back to
// SOCK_STREAM when /dev/log refuses datagrams (EPROTOTYPE) and then ends each
// message with a NUL byte. Each message becomes one line of OUT_FILE, without
// its "<priority>" prefix.
import net from "node:net";
import fs from "node:fs";

const [socketPath, outFile] = process.argv.slice(2);
if (!socketPath || !outFile) {
  process.stderr.write("usage: syslog-sink.mjs SOCKET_PATH OUT_FILE\n");
  process.exit(2);
}
try { fs.unlinkSync(socketPath); } catch { /* not there */ }
const out = fs.openSync(outFile, "a");

const server = net.createServer((conn) => {
  let pending = "";
  conn.setEncoding("latin1");
  conn.on("data", (data) => {
    pending += data;
    const parts = pending.split("\0");
    pending = parts.pop() ?? "";
    const lines = parts.map((m) => m.replace(/^<\d+>/, "").replace(/\s+$/, "")).filter((m) => m.length > 0);
    if (lines.length > 0) fs.writeSync(out, lines.join("\n") + "\n");
  });
  conn.on("error", () => undefined);
});
server.listen(socketPath, () => {
  fs.chmodSync(socketPath, 0o666);
});
const stop = () => { server.close(); try { fs.unlinkSync(socketPath); } catch { /* gone */ } process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
