import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { globalSetup: ["test/compile-scripts.ts"], testTimeout: 60_000 },
});
