// The demo: a TFTP origin 20 ms away (each way), the TFTP cache on the router,
// and each file downloaded twice with atftp — first a miss (the origin's
// pace), then a hit (the router's).
import {
  ADDR, downloadFrom, formatSize, makeTestFiles, startTftpd, type DownloadResult, type Lab, type TestFile,
} from "@kcache/netlab";
import { startRouter } from "@kcache/tftp-cache/host/router.ts";

export interface DemoOptions {
  /** Delay each way between router and origin, made by the engine (netem bundle). */
  delayMs: number;
  /** File sizes in bytes. */
  sizes: number[];
  /** Progress lines (what is being done now). */
  log: (line: string) => void;
}

export interface DemoRow {
  file: TestFile;
  origin: DownloadResult;
  cached: DownloadResult;
  /** Both downloads had the file's sha256. */
  sha256Ok: boolean;
  /** Requests for the file tftpd-hpa logged (1: the hit never reached it). */
  originRequests: number;
}

/** 4 KiB, 64 KiB, 256 KiB: the last one takes about 7 s from the origin (see ATFTP_OPTIONS). */
export const DEMO_SIZES = [4 * 1024, 64 * 1024, 256 * 1024];

/**
 * atftp asks for 1468-byte blocks and a window of 16. tftpd-hpa ignores
 * windowsize, so from the origin every block waits one round trip (40 ms at
 * 20 ms each way): 256 KiB is 179 blocks, about 7 s; 1 MiB would be about 29 s.
 * The cache grants the window, so a hit sends 16 blocks per round trip.
 */
export const ATFTP_OPTIONS = { blksize: 1468, windowsize: 16 };

/** Runs the demo in a lab the caller owns (and tears down). */
export async function runDemo(lab: Lab, options: DemoOptions): Promise<DemoRow[]> {
  const { log } = options;
  const srv = lab.subdir("srv");
  log(`origin ${ADDR.origin}: tftpd-hpa serving ${options.sizes.map(formatSize).join(", ")} byte files`);
  const files = makeTestFiles(srv, options.sizes);
  const tftpd = await startTftpd(lab, { root: srv });
  const router = await startRouter(lab, { forward: { cache: {} }, delayMs: options.delayMs });
  log(`router: kmod run ${router!.args.join(" ").replaceAll(/\/\S*\/(\S+\.lua)/g, "$1")}`);
  const rows: DemoRow[] = [];
  try {
    for (const file of files) {
      log(`atftp ${file.name}: first download (a miss: from the origin, recorded by the cache)`);
      const origin = await downloadFrom(lab, tftpd, "atftp", file.name, { ...ATFTP_OPTIONS, timeoutMs: 60_000 });
      log(`atftp ${file.name}: second download (a hit: from the router)`);
      const cached = await downloadFrom(lab, tftpd, "atftp", file.name, { ...ATFTP_OPTIONS, timeoutMs: 60_000 });
      rows.push({
        file, origin, cached,
        sha256Ok: origin.sha256 === file.sha256 && cached.sha256 === file.sha256,
        originRequests: tftpd.requests().filter((r) => r.file === file.name).length,
      });
    }
  } finally {
    router!.stop();
  }
  return rows;
}
