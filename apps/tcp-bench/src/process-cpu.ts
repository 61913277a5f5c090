// CPU time a process (all its threads) has had, and the time its threads
// waited for a CPU, from Linux's /proc/<pid>/task/*/schedstat (ns). The
// benchmark reads it around each download from kmod: the engine's own CPU
// time does not depend on what else runs on a shared machine, and the wait
// says how much that load held the engine up.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessCpu {
  cpuNs: number;
  waitNs: number;
}

export function processCpu(pid: number): ProcessCpu {
  let cpuNs = 0;
  let waitNs = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [cpu, wait] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").trim().split(/\s+/).map(Number);
      cpuNs += cpu ?? 0;
      waitNs += wait ?? 0;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return { cpuNs, waitNs };
}
