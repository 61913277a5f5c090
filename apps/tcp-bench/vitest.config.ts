import { defineConfig } from "vitest/config";

// Real namespaces and daemons: one file at a time, generous timeouts.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false } });
