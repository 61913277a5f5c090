import { defineConfig } from "vitest/config";

// Root tests build namespaces and run real clients: allow for a loaded CI machine.
export default defineConfig({
  test: { globalSetup: ["test/build-netem.ts"], testTimeout: 30_000, hookTimeout: 30_000 },
});
