import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { FrozenModel } from "../../src/model/frozen.js";
import { parseRecipe } from "../../src/recipe/load.js";
import type { RefreshReport } from "../../src/refresh/refresh.js";
import { RULE_IDS } from "../../src/transform/rules/index.js";
import { kbackport, ROOT, tempDir } from "../helpers/cli.js";
import { headers510, kernelTree510 } from "../helpers/debian.js";
import { frozenModelAt } from "../helpers/frozen-model.js";
import { commit } from "../helpers/git.js";
import { recipeAt } from "../helpers/upstream.js";

const upstream = inject("upstream");
const [tag61, pin61] = Object.entries(upstream.commits).find(([tag]) => tag.startsWith("v6.1."))!;
const [tag612, pin612] = [upstream.tag, upstream.commit];

async function refresh(recipe: string, to: string, kernels: string[], extra: string[] = []) {
  const r = await kbackport(
    [
      "refresh",
      recipe,
      "--to",
      `linux-next=${to},net-next=${to}`,
      ...kernels.flatMap((k) => ["--kernel", k]),
      "--out",
      join(tempDir("refresh-out"), "out"),
      "--json",
      ...extra,
    ],
    { KBACKPORT_CACHE_DIR: cache },
  );
  return { ...r, report: JSON.parse(r.stdout) as RefreshReport };
}

const cache = tempDir("refresh-cache");
let arm64: string;
beforeAll(async () => {
  // The arm64 defconfig tree the cross tests prepare (same arguments: the prepared tree is shared).
  arm64 = await kernelTree510("linux-5.10-arm64", "arm64", {
    settings: ["CONFIG_MHI_BUS=m", "CONFIG_QRTR_MHI=m"],
  });
});

describe(`refresh from the fixture's ${tag61} to ${tag612} (Debian's ${upstream.debian.join(", ")}), for bullseye's 5.10 headers and an arm64 tree`, () => {
  let recipe: string;
  let before: string;
  let result: Awaited<ReturnType<typeof refresh>>;
  beforeAll(async () => {
    recipe = recipeAt(upstream.repo, pin61);
    before = readFileSync(recipe, "utf8");
    result = await refresh(recipe, pin612, [headers510(), arm64], ["--write"]);
  });

  it("builds and validates both targets at both pins and says which rules 6.12 code newly needs", async () => {
    const { report } = result;
    expect(report.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(report.targets.map((t) => [t.current.built, t.next.built, t.next.violations])).toEqual([
      [true, true, []],
      [true, true, []],
    ]);
    for (const t of report.targets) {
      const state = Object.fromEntries(t.rules.map((r) => [r.id, r.state]));
      for (const id of [
        "bus-match-const-driver",
        "bus-uevent-const-device",
        "trace-assign-str-one-arg",
        "container-of-const",
      ])
        expect(state[id], `${t.release} ${id}`).toBe("newly needed");
      // Nothing is silently skipped: every rule the recipe lists is reported for every target.
      const listed = new Set(
        Object.values((await parseRecipe(before, recipe, RULE_IDS)).data.components).flatMap((c) => c.rules),
      );
      expect(new Set(t.rules.map((r) => r.id))).toEqual(listed);
      expect(t.unlisted).toEqual([]);
    }
    const arm = report.targets[1]!;
    expect(arm.next.modules).toContain("qcom_bam_dmux");
    expect(Object.fromEntries(arm.rules.map((r) => [r.id, r.state]))["platform-remove-new"]).toBe(
      "newly needed",
    );
  });

  it("lists the model drift between the pins, the upstream commits, and writes the diffs", () => {
    const { report } = result;
    expect(report.modelDrift).toEqual(
      expect.arrayContaining([
        "mhi: export mhi_poll removed",
        "mhi: export mhi_get_channel_doorbell_offset added",
        "mhi_pci_generic: PCI id 17cb:0309 (mhi_qcom_sdx75_info) added",
        "rpmsg_wwan_ctrl: RPMSG channel DATA1 added",
      ]),
    );
    expect(report.upstream).toEqual([
      { source: "linux-next", commits: [{ id: pin612, subject: expect.stringMatching(/^Linux 6\.12\./) }] },
      { source: "net-next", commits: [{ id: pin612, subject: expect.stringMatching(/^Linux 6\.12\./) }] },
    ]);
    const diff = readFileSync(join(report.outDir, report.targets[0]!.diffs.tree), "utf8");
    expect(diff).toMatch(/^\+\+\+ new\/tree\/drivers\/bus\/mhi\/host\/pci_generic\.c/m);
  });

  it("rewrites the pins in the recipe and nothing else, and freezes the model of the new pins beside it", () => {
    expect(result.report.written).toBe(true);
    const after = readFileSync(recipe, "utf8");
    expect(after).toBe(before.replaceAll(`commit: ${pin61}`, `commit: ${pin612}`));

    const written = join(
      dirname(recipe),
      "models/mhi-wwan",
      `linux-next-${pin612.slice(0, 12)}_net-next-${pin612.slice(0, 12)}.json`,
    );
    expect(result.report.frozenModel).toBe(written);
    const frozen = JSON.parse(readFileSync(written, "utf8")) as FrozenModel;
    expect(frozen.pins.map((p) => [p.source, p.commit])).toEqual([
      ["linux-next", pin612],
      ["net-next", pin612],
    ]);
    // Derived at the pins, it is the model kbackport ships for those contents (found by them, not by the
    // commit id, which changes with every Debian update of the package).
    const shipped = frozenModelAt(upstream.repo, pin612);
    expect(frozen.model).toEqual(shipped.frozen.model);
    expect(frozen.files).toEqual(shipped.frozen.files);
  });

  it("validates each side against the model of its own pins and says which", async () => {
    const { outDir } = result.report;
    const at61 = await kbackport(["validate", join(outDir, "target-1/current"), "--json"]);
    expect(at61.exitCode).toBe(0);
    // The shipped model of the 6.1 files, named as the product shows it (relative to its working directory).
    const shipped61 = frozenModelAt(upstream.repo, pin61);
    const frozenAt = shipped61.frozen.pins.map((p) => `${p.source} ${p.commit.slice(0, 12)}`).join(", ");
    const samePins = shipped61.frozen.pins.every((p) => p.commit === pin61);
    expect(JSON.parse(at61.stdout).model).toBe(
      `${relative(ROOT, shipped61.file)} (frozen at ${frozenAt}${samePins ? "" : "; the run's pins hold the same files"})`,
    );
    const at612 = await kbackport(["validate", join(outDir, "target-1/new")]);
    expect(at612.exitCode).toBe(0);
    expect(at612.stdout).toMatch(
      new RegExp(
        `^model +\\S*linux-next-${pin612.slice(0, 12)}_net-next-${pin612.slice(0, 12)}\\.json `,
        "m",
      ),
    );
  });
});

describe("refresh to a commit that uses a kernel API no rule knows", () => {
  let repo: string;
  let newer: string;
  beforeAll(() => {
    // A third commit on top of 6.12, in a clone that shares the fixture's objects.
    repo = join(tempDir("refresh-upstream"), "repo");
    execFileSync("git", ["clone", "-q", "--shared", upstream.repo, repo]);
    for (const key of ["uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"])
      execFileSync("git", ["-C", repo, "config", key, "true"]);
    const file = join(repo, "drivers/net/mhi_net.c");
    const text = readFileSync(file, "utf8")
      .replace(
        "#include <linux/skbuff.h>\n",
        "#include <linux/skbuff.h>\n#include <linux/string_helpers.h>\n",
      )
      .replace(
        /(static void mhi_net_dellink\(struct mhi_device \*mhi_dev, struct net_device \*ndev\)\n\{\n.*\n\n)/,
        '$1\tnetdev_dbg(ndev, "carrier: %s\\n", str_yes_no(netif_carrier_ok(ndev)));\n',
      );
    writeFileSync(file, text);
    newer = commit(repo, "-am", "net: mhi_net: say the carrier state on removal");
  });

  it("reports it as no rule with the compiler message, and --write refuses without --allow-broken", async () => {
    const recipe = recipeAt(repo, pin612);
    const before = readFileSync(recipe, "utf8");
    const refused = await refresh(recipe, newer, [headers510()], ["--write"]);
    expect(refused.exitCode).toBe(1);
    const t = refused.report.targets[0]!;
    expect(t.next.built).toBe(false);
    expect(t.newErrors).toEqual([
      expect.stringMatching(
        /^no rule: str_yes_no, drivers\/net\/mhi_net\.c:\d+:\d+: error: implicit declaration of function .str_yes_no./,
      ),
    ]);
    expect(refused.report.upstream[1]).toEqual({
      source: "net-next",
      commits: [{ id: newer, subject: "net: mhi_net: say the carrier state on removal" }],
    });
    expect(refused.report.written).toBe(false);
    expect(readFileSync(recipe, "utf8")).toBe(before);

    // No model is frozen for the new pins: validate derives it at them and says so; the model command
    // shows how it differs from the nearest frozen one.
    const side = join(refused.report.outDir, "target-1/new.failed");
    const unmodelled = await kbackport(["validate", side], { KBACKPORT_CACHE_DIR: cache });
    expect(unmodelled.exitCode).toBe(0);
    expect(unmodelled.stdout).toContain(
      `model      derived at the run's pins (linux-next ${newer.slice(0, 12)}, net-next ${newer.slice(0, 12)}); no frozen model to compare with\n`,
    );
    const shown = await kbackport(["model", side, "--json"], { KBACKPORT_CACHE_DIR: cache });
    expect(JSON.parse(shown.stdout)).toMatchObject({
      nearest: { files: ["drivers/net/mhi_net.c"], drift: [] },
    });

    const forced = await refresh(recipe, newer, [headers510()], ["--write", "--allow-broken"]);
    expect(forced.report.written).toBe(true);
    const after = readFileSync(recipe, "utf8");
    expect(after).toContain(
      `    # kbackport refresh --allow-broken: broken at this pin on\n    #   ${t.release}: does not build: no rule: str_yes_no`,
    );
    expect(after).toContain(`commit: ${newer}`);
    const frozen = join(
      dirname(recipe),
      "models/mhi-wwan",
      `linux-next-${newer.slice(0, 12)}_net-next-${newer.slice(0, 12)}.json`,
    );
    expect(forced.report.frozenModel).toBe(frozen);
    expect((JSON.parse(readFileSync(frozen, "utf8")) as FrozenModel).pins.map((p) => p.commit)).toEqual([
      newer,
      newer,
    ]);
    const now = await kbackport(["validate", side, "--json"]);
    expect(JSON.parse(now.stdout).model).toContain(frozen);
  });
});
