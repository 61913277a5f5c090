// Downloads one URL with got (npm) into a file; run inside the client
// namespace by netlab. usage: node got-get.mjs URL OUT_FILE TIMEOUT_MS
// Prints one JSON line: {"ms": wall time of the download, "bytes": n}.
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import got from "got";

const [url, outFile, timeoutMs] = process.argv.slice(2);
const started = process.hrtime.bigint();
try {
  await pipeline(
    got.stream(url, { timeout: { request: Number(timeoutMs) }, retry: { limit: 0 }, decompress: false }),
    createWriteStream(outFile),
  );
} catch (err) {
  process.stderr.write(`got: ${err.code ?? ""} ${err.message}\n`);
  process.exit(1);
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ ms }) + "\n");
