import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { kbackport, kbackportJson, ROOT, tempDir } from "../helpers/cli.js";
import { headers510, source510Tarball } from "../helpers/debian.js";
import { fixtureSources } from "../helpers/upstream.js";

const tree = join(homedir(), ".cache", "kbackport-test", "linux-5.10-vm");
const cache = tempDir("patched-cache");
let patches: string[];

beforeAll(async () => {
  // The kernel patches come from a run, as a user would take them: prepare against the stock headers.
  const out = tempDir("patched-prep");
  const prep = await kbackportJson(
    [
      "prepare",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--components",
      "wwan",
      "--out",
      out,
      ...fixtureSources(),
    ],
    {
      KBACKPORT_CACHE_DIR: cache,
    },
  );
  expect(prep.report.kernelPatches.map((p) => p.rule)).toEqual(["ifla-parent-dev-name", "rtnl-link-alloc"]);
  patches = prep.report.kernelPatches.map((p) => join(out, p.file!));
  const settings = readFileSync(join(ROOT, "test/fixtures/vm-kernel.config"), "utf8")
    .split("\n")
    .filter((l) => /^CONFIG_/.test(l));
  await execa(
    join(ROOT, "scripts/prepare-kernel-tree.sh"),
    [
      "--config",
      "tinyconfig",
      ...patches.flatMap((p) => ["--patch", p]),
      "--image",
      source510Tarball(),
      tree,
      "x86",
      ...settings,
    ],
    { stdio: "inherit" },
  );
});

describe("VM: a 5.10 kernel built from Debian's sources with the generated rtnetlink patches", () => {
  it("needs no rtnetlink fallback, and ip link add/del of a WWAN link works", async () => {
    const out = tempDir("patched-run");
    const { report } = await kbackportJson(
      ["run", "recipes/mhi-wwan.yaml", "--kernel", tree, "--out", out, ...fixtureSources()],
      {
        KBACKPORT_CACHE_DIR: cache,
      },
    );
    expect(report.errors).toEqual([]);
    const rules = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    expect(rules["ifla-parent-dev-name"]).toMatchObject({
      needed: false,
      evidence: expect.stringMatching(/^include\/uapi\/linux\/if_link\.h:\d+: IFLA_PARENT_DEV_NAME/),
    });
    expect(rules["rtnl-link-alloc"]).toMatchObject({ needed: false, sites: [] });
    expect(report.kernelPatches).toEqual([]);
    expect(report.target!.symvers).toBe(true);
    expect(report.buildWarnings.filter((w) => /undefined/.test(w.message))).toEqual([]);

    const r = await kbackport([
      "validate",
      out,
      "--vm",
      "--vm-kernel",
      join(tree, "arch/x86/boot/bzImage"),
      "--vm-timeout",
      "300",
      "--json",
    ]);
    const { vm, ok } = JSON.parse(r.stdout) as {
      ok: boolean;
      vm: {
        completed: boolean;
        modules: { loaded: boolean }[];
        checks: { id: string; ok: boolean; outcome: string; detail?: string }[];
      };
    };
    expect(vm.completed).toBe(true);
    expect(vm.modules.every((m) => m.loaded)).toBe(true);
    expect(vm.checks.find((c) => c.id === "hwsim-link-add-del")).toMatchObject({ ok: true, outcome: "ok" });
    expect(vm.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
