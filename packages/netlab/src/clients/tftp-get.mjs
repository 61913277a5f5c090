// Downloads one file with the npm `tftp` client into a file; run inside the
// client namespace by netlab.
// usage: node tftp-get.mjs HOST PORT REMOTE OUT_FILE BLKSIZE|- WINDOWSIZE|- TIMEOUT_MS
// Prints one JSON line: {"ms": wall time of the download}.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tftp = require("tftp");

const [host, port, remote, outFile, blksize, windowsize, timeoutMs] = process.argv.slice(2);
// The library sends its retransmission timeout (in ms) as the RFC 2349
// "timeout" option, which is in seconds (1..255): tftpd-hpa answers the
// default 3000 with NAK 8 (the client then falls back to plain 512-byte
// lock-step), and any accepted value would be wrong on one side (255 ms here
// is 255 s of server retransmission). So the option is left out of the
// request: tftpd-hpa keeps its own retransmission timer, the client its own.
const retransmitMs = 1000;
const options = { host, port: Number(port), timeout: retransmitMs, retries: Math.max(3, Math.ceil(Number(timeoutMs) / retransmitMs)) };
if (blksize !== "-") options.blockSize = Number(blksize);
if (windowsize !== "-") options.windowSize = Number(windowsize);

const client = tftp.createClient(options);
// Internals of tftp 0.1.2 (pinned): the request is serialized from
// extensionsString, sized by extensionsLength.
const built = client._options;
if (!built || !built.extensionsString || typeof built.extensionsString.timeout !== "string" || typeof built.extensionsLength !== "number") {
  process.stderr.write("tftp-get.mjs: unexpected internals of the npm tftp package (expects 0.1.2)\n");
  process.exit(3);
}
built.extensionsLength -= "timeout".length + 1 + built.extensionsString.timeout.length + 1;
delete built.extensionsString.timeout;
const started = process.hrtime.bigint();
client.get(remote, outFile, (error) => {
  if (error) {
    process.stderr.write(`tftp: ${error.message ?? error}\n`);
    process.exit(1);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ ms }) + "\n");
  process.exit(0);
});
