import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KbackportError } from "../../src/errors.js";
import { loadRecipe, parseRecipe, RECIPE_LIMITS } from "../../src/recipe/load.js";
import { selectComponents } from "../../src/recipe/select.js";
import { RULE_IDS } from "../../src/transform/rules/index.js";

const SHA = "adc218676eef25575469234709c2d87185ca223a";
const valid = `name: demo
sources:
  up:
    url: https://example.invalid/linux.git
    commit: ${SHA}
components:
  mhi:
    source: up
    paths: [drivers/bus/mhi/host, include/linux/mhi.h]
    modules:
      - { name: mhi, config: CONFIG_MHI_BUS, dir: drivers/bus/mhi/host }
    rules: [fsleep]
  mhi_net:
    source: up
    paths: [drivers/net/mhi_net.c]
    modules:
      - { name: mhi_net, config: CONFIG_MHI_NET, dir: drivers/net }
    requires: [mhi]
`;

async function failure(text: string): Promise<KbackportError> {
  try {
    await parseRecipe(text, "r.yaml", RULE_IDS);
  } catch (err) {
    if (err instanceof KbackportError) return err;
    throw err;
  }
  throw new Error("the recipe was accepted");
}

describe("recipe loading", () => {
  it("loads a valid recipe with defaults filled in", async () => {
    const recipe = await parseRecipe(valid, "r.yaml", RULE_IDS);
    expect(recipe.data.components.mhi!.settings).toEqual({});
    expect(recipe.data.components.mhi_net!.rules).toEqual([]);
    expect(recipe.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recipe.where(["components", "mhi_net", "paths", 0])).toBe("r.yaml:15:13");
  });

  it("ships a mhi-wwan recipe that loads, with both upstream trees pinned", async () => {
    const file = join(import.meta.dirname, "../../recipes/mhi-wwan.yaml");
    const recipe = await parseRecipe(readFileSync(file, "utf8"), file, RULE_IDS);
    expect(Object.keys(recipe.data.sources)).toEqual(["linux-next", "net-next"]);
    expect(Object.keys(recipe.data.components)).toEqual(["mhi", "mhi_net", "wwan", "bam_dmux"]);
    const modules = Object.values(recipe.data.components).flatMap((c) => c.modules.map((m) => m.name));
    expect(modules).toEqual(
      expect.arrayContaining([
        "mhi",
        "mhi_pci_generic",
        "mhi_net",
        "wwan",
        "mhi_wwan_ctrl",
        "mhi_wwan_mbim",
        "wwan_hwsim",
        "qcom_bam_dmux",
      ]),
    );
  });

  it("refuses a recipe over its size or path limits before any long work, naming the numbers", async () => {
    // A million paths (about 40 MB): refused on its size, before the YAML parser sees it.
    const many = (n: number) =>
      valid.replace(
        "    paths: [drivers/net/mhi_net.c]",
        `    paths:\n${Array.from({ length: n }, (_, i) => `      - drivers/net/f${i}.c`).join("\n")}`,
      );
    const huge = many(1_000_000);
    const big = await failure(huge);
    expect(big.message).toBe(
      `recipe r.yaml is ${Buffer.byteLength(huge)} bytes; kbackport reads recipes of at most ${RECIPE_LIMITS.bytes} bytes`,
    );
    expect((await failure(many(RECIPE_LIMITS.paths))).message).toBe(
      `recipe r.yaml names ${RECIPE_LIMITS.paths + 2} paths; kbackport takes at most ${RECIPE_LIMITS.paths}`,
    );
    expect(
      (await parseRecipe(many(RECIPE_LIMITS.paths - 2), "r.yaml", RULE_IDS)).data.components.mhi_net!.paths,
    ).toHaveLength(RECIPE_LIMITS.paths - 2);
  });

  it("refuses a module named twice, naming both places", async () => {
    const text = valid.replace(
      "      - { name: mhi_net, config: CONFIG_MHI_NET, dir: drivers/net }",
      "      - { name: mhi_net, config: CONFIG_MHI_NET, dir: drivers/net }\n      - { name: mhi, config: CONFIG_MHI_NET, dir: drivers/net }",
    );
    const err = await failure(text);
    expect(err.message).toBe("module 'mhi' is named twice: here and at r.yaml:11:17");
    expect(err.where).toBe("r.yaml:18:17");
    expect(err.hint).toBe("a module belongs to one component; remove one of the two entries");
  });

  it("points a YAML syntax error at its line and column", async () => {
    const err = await failure(valid.replace("    commit:", "   commit:"));
    expect(err.message).toMatch(/^YAML syntax error/);
    expect(err.where).toBe("r.yaml:5:1");
  });

  it("names an unknown rule where it is written and lists the known ones", async () => {
    const err = await failure(valid.replace("rules: [fsleep]", "rules: [fsleep, no-such-rule]"));
    expect(err.message).toBe("unknown rule 'no-such-rule' in component 'mhi'");
    expect(err.where).toBe("r.yaml:12:21");
    expect(err.hint).toContain("u64-stats");
  });

  it.each([
    ["a short SHA", SHA.slice(0, 12)],
    ["a non-hex SHA", `${SHA.slice(0, 39)}g`],
    ["a branch name", "master"],
  ])("rejects %s with the expected form", async (_what, commit) => {
    const err = await failure(valid.replace(SHA, commit));
    expect(err.message).toContain("'sources.up.commit': expected a full 40-hex commit id");
    expect(err.where).toBe("r.yaml:5:13");
  });

  it.each([
    ["../escape/mhi.h", "no '..'"],
    ["/abs/mhi.h", "relative to the top of the kernel tree"],
    ["include/./linux/mhi.h", "no '..', '.'"],
  ])("rejects the path %s", async (path, message) => {
    const err = await failure(valid.replace("include/linux/mhi.h", path));
    expect(err.message).toContain("'components.mhi.paths.1'");
    expect(err.message).toContain(message);
    expect(err.where).toBe("r.yaml:9:35");
  });

  it("rejects unknown keys, sources and required components", async () => {
    expect((await failure(valid.replace("    rules:", "    rulez:"))).message).toMatch(
      /Unrecognized key.*rulez/i,
    );
    expect(
      (
        await failure(
          valid.replace(
            "    source: up\n    paths: [drivers/net",
            "    source: nope\n    paths: [drivers/net",
          ),
        )
      ).message,
    ).toContain("takes its code from source 'nope'");
    expect((await failure(valid.replace("requires: [mhi]", "requires: [wwan]"))).where).toBe("r.yaml:18:16");
  });

  it("rejects a module whose directory the component does not fetch", async () => {
    const err = await failure(valid.replace("dir: drivers/net }", "dir: drivers/usb }"));
    expect(err.message).toContain("module 'mhi_net' lives in 'drivers/usb'");
  });

  it("selects required components along with the named ones", async () => {
    const recipe = await parseRecipe(valid, "r.yaml", RULE_IDS);
    expect(selectComponents(recipe, ["mhi_net"]).map((c) => c.name)).toEqual(["mhi", "mhi_net"]);
    expect(selectComponents(recipe).map((c) => c.name)).toEqual(["mhi", "mhi_net"]);
    expect(() => selectComponents(recipe, ["wwan"])).toThrow("unknown component 'wwan'");
  });

  it("takes a recipe checked before from the cache: the same data, the same places", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kbackport-recipe-"));
    temporaries.push(dir);
    const file = join(dir, "r.yaml");
    const cache = join(dir, "cache");
    writeFileSync(file, valid);
    const paths = [
      ["components", "mhi_net", "paths", 0],
      ["components", "mhi", "modules", 0, "dir"],
      ["sources", "up", "commit"],
      ["components", "mhi", "no-such-key", 3],
      [],
    ];
    const parsed = await parseRecipe(valid, file, RULE_IDS);
    const first = await loadRecipe(file, RULE_IDS, cache);
    const cached = await loadRecipe(file, RULE_IDS, cache);
    for (const recipe of [first, cached]) {
      expect(recipe.data).toEqual(parsed.data);
      expect(recipe.hash).toBe(parsed.hash);
      expect(paths.map(recipe.where)).toEqual(paths.map(parsed.where));
    }
    expect(paths.map(cached.where).slice(0, 4)).toEqual([
      `${file}:15:13`,
      `${file}:11:51`,
      `${file}:5:13`,
      `${file}:8:5`,
    ]);
    expect(readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith(".json"))).toHaveLength(
      1,
    );
    // Another text is checked again, and a recipe that fails is never kept.
    writeFileSync(file, valid.replace("requires: [mhi]", "requires: [wwan]"));
    await expect(loadRecipe(file, RULE_IDS, cache)).rejects.toThrow("requires unknown component 'wwan'");
    await expect(loadRecipe(file, RULE_IDS, cache)).rejects.toThrow("requires unknown component 'wwan'");
  });
});

const temporaries: string[] = [];
afterAll(() => {
  for (const dir of temporaries) rmSync(dir, { recursive: true, force: true });
});
