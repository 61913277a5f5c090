// netlab: network namespaces, origins and clients for kcache's tests, demos
// and benchmarks (Node side; never part of a Lua bundle).
export { Lab, withLab, ADDR, type LabOptions, type Interfaces, type Daemon } from "./lab.ts";
export {
  cleanupSync, teardownStateSync, listRuns, listNamespaces, namespacePids, runIsLive, readState, stateRoot, NAMESPACE_PATTERN, ROLES,
  type Role, type RunState, type PidRecord, type TeardownReport,
} from "./state.ts";
export { startNginx, type HttpOrigin, type NginxOptions, type AccessEntry } from "./origins/nginx.ts";
export { startTftpd, type TftpOrigin, type TftpdOptions, type TftpRequest } from "./origins/tftpd.ts";
export { isListening } from "./origins/common.ts";
export {
  download, downloadFrom, ClientError, CLIENTS, HTTP_CLIENTS, TFTP_CLIENTS, isHttpClient, isTftpClient,
  type ClientName, type HttpClient, type TftpClient, type DownloadOptions, type DownloadSpec, type DownloadResult,
} from "./clients.ts";
export { makeTestFile, makeTestFiles, testFileBytes, sha256File, parseSize, formatSize, type TestFile } from "./files.ts";
export { isSameProcess, procStartTime } from "./proc.ts";
export { startCapture, type Capture, type CaptureOptions } from "./capture.ts";
export { limitRate, clearRate, type RateOptions } from "./rate.ts";
export { sleep } from "./proc.ts";
export {
  NETEM_BUNDLE, configureNetem, netemStats, netemKmodArgs, startNetem,
  type NetemOptions, type NetemConfig, type NetemStats, type LuaCaller, type NetemLinkOptions,
} from "./netem.ts";
export { KMOD_CLI, startKmod, kcacheRules, type KmodSnapshot, type RunningKmod, type StartKmodOptions } from "./kmod.ts";
