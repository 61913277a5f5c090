import { defineConfig } from "vitest/config";

export default defineConfig({
  // test/real builds namespaces and runs daemons (root only): one file at a time.
  test: { testTimeout: 30_000, hookTimeout: 60_000, fileParallelism: false },
});
