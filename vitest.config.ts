import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./tests/integration/moto-server.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One moto server serves every file; files reset it, so they must not run at once.
          fileParallelism: false,
        },
      },
    ],
  },
});
