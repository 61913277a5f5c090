// A progress bar for long runs (cli-progress), or plain lines when stdout is not a terminal.
import { SingleBar, Presets } from "cli-progress";

export interface Progress {
  step(label: string): void;
  stop(): void;
}

export function progress(total: number, title: string): Progress {
  if (!process.stdout.isTTY) {
    let done = 0;
    return {
      step: (label) => process.stdout.write(`[${++done}/${total}] ${title}: ${label}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({ format: `${title} [{bar}] {value}/{total} {label}`, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { label: "" });
  return { step: (label) => bar.increment({ label }), stop: () => bar.stop() };
}
