import { defineConfig } from "vitest/config";

// Two projects: unit tests run in seconds with no kernel tree; integration tests use the upstream fixture
// built from Debian's sources and real kernel trees, prepared once by the global setup. Files run one at a
// time (a root-level option: projects cannot set it): integration files share prepared kernel trees and
// each build uses every core.
export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    pool: "forks",
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 20 * 60 * 1000,
          hookTimeout: 30 * 60 * 1000,
        },
      },
    ],
  },
});
