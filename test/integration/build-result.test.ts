import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildModules } from "../../src/build/build-modules.js";
import { readKernelTarget } from "../../src/kernel/target.js";
import { tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";

/** A one-module tree, built with Kbuild against bullseye's 5.10 headers. */
async function buildDemo(body: string) {
  const tree = tempDir("build-result-tree");
  const outDir = tempDir("build-result-out");
  mkdirSync(join(tree, "demo"));
  writeFileSync(join(tree, "Kbuild"), "obj-m += demo/\n");
  writeFileSync(join(tree, "demo/Kbuild"), "obj-m += demo.o\n");
  writeFileSync(
    join(tree, "demo/demo.c"),
    `#include <linux/module.h>\n\nstatic int __init demo_init(void)\n{\n${body}\treturn 0;\n}\nmodule_init(demo_init);\nMODULE_LICENSE("GPL");\n`,
  );
  const result = await buildModules({
    outDir,
    tree,
    target: readKernelTarget(headers510()),
    modules: [{ name: "demo", config: "CONFIG_DEMO", dir: "demo", component: "demo" }],
    symbols: new Map(),
  });
  return { result, outDir };
}

describe("a Kbuild build gives its outcome as data", () => {
  it("returns the compiler's errors and warnings of a failed build, with file, line and the API", async () => {
    const { result } = await buildDemo('\tint unused;\n\n\tpr_info("%s\\n", str_yes_no(true));\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toContainEqual({
      severity: "error",
      file: "demo/demo.c",
      line: 7,
      column: 18,
      message: "implicit declaration of function ‘str_yes_no’ [-Werror=implicit-function-declaration]",
      api: undefined,
    });
    expect(result.warnings.map((w) => [w.file, w.line, w.message])).toContainEqual([
      "demo/demo.c",
      5,
      "unused variable ‘unused’ [-Wunused-variable]",
    ]);
  });

  it("returns the modules of a build that succeeds", async () => {
    const { result, outDir } = await buildDemo("");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.modules.map((m) => [m.name, m.path])).toEqual([["demo", "modules/demo.ko"]]);
    expect(existsSync(join(outDir, "modules/demo.ko"))).toBe(true);
    expect(result.warnings).toEqual([]);
  });
});
