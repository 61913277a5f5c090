import { defineConfig } from "vitest/config";

// Real namespaces and daemons (root only): generous timeouts.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false } });
