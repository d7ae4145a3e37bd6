import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { FrozenModel } from "../../src/model/frozen.js";
import type { ModelRunReport } from "../../src/model/model-run.js";
import { deriveModel } from "../../src/model/derive.js";
import { loadRecipe } from "../../src/recipe/load.js";
import type { RefreshReport } from "../../src/refresh/refresh.js";
import { RULE_IDS } from "../../src/transform/rules/index.js";
import { kbackport, ROOT, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { frozenModelAt, shippedModelsAgainst } from "../helpers/frozen-model.js";
import { gitTreeReader } from "../helpers/git-tree.js";
import { recipeAt } from "../helpers/upstream.js";

// The fixture's commit ids follow every byte of Debian's tarballs, and Debian updates them often. What the
// tests compare against must follow only the files compared: this is the fixture as a tarball whose bytes
// differ outside the recipe's files would make it.

const upstream = inject("upstream");
const RECIPE = join(ROOT, "recipes/mhi-wwan.yaml");
const UNRELATED = "MAINTAINERS";
const cache = tempDir("identity-cache");

const git = (repo: string, args: string[], input?: string, env: Record<string, string> = {}) =>
  execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, ...env },
  }).trim();

let repo: string;
let other: string;
let shipped: { file: string; frozen: FrozenModel };

/**
 * A commit on top of the fixture's newest that appends a line to one file, made from trees directly (a
 * temporary index, no checkout) and dated as the fixture's commits are.
 */
function commitAppending(path: string, line: string): string {
  const index = { GIT_INDEX_FILE: join(tempDir("identity-index"), "index") };
  const text = git(repo, ["show", `${upstream.commit}:${path}`]);
  const blob = git(repo, ["hash-object", "-w", "--stdin"], `${text}\n${line}\n`);
  git(repo, ["read-tree", upstream.commit], undefined, index);
  git(repo, ["update-index", "--cacheinfo", `100644,${blob},${path}`], undefined, index);
  const tree = git(repo, ["write-tree"], undefined, index);
  const who = {
    NAME: "Debian linux-source",
    EMAIL: "linux-source@debian.invalid",
    DATE: "2000-01-03T00:00:00Z",
  };
  const ident = Object.fromEntries(
    Object.entries(who).flatMap(([k, v]) => [
      [`GIT_AUTHOR_${k}`, v],
      [`GIT_COMMITTER_${k}`, v],
    ]),
  );
  const subject = `${upstream.tag} again, other bytes in ${path}`;
  return git(repo, ["commit-tree", tree, "-p", upstream.commit, "-m", subject], undefined, ident);
}

beforeAll(() => {
  shipped = frozenModelAt(upstream.repo, upstream.commit);
  // A clone sharing the fixture's objects: nothing of the tree is copied.
  repo = join(tempDir("identity-upstream"), "repo");
  execFileSync("git", ["clone", "-q", "--shared", "--no-checkout", upstream.repo, repo]);
  for (const key of ["uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"])
    git(repo, ["config", key, "true"]);
  other = commitAppending(UNRELATED, "A line Debian's next tarball adds.");
  git(repo, ["update-ref", "refs/heads/master", other]);
});

describe(`the fixture from Debian's ${upstream.debian.join(", ")}, with other bytes outside the recipe's files`, () => {
  it("is another commit whose recipe files and model files are the fixture's, byte for byte", async () => {
    expect(other).not.toBe(upstream.commit);
    expect(git(repo, ["diff", "--name-only", upstream.commit, other]).split("\n")).toEqual([UNRELATED]);
    const recipe = await loadRecipe(RECIPE, RULE_IDS);
    const paths = Object.values(recipe.data.components).flatMap((c) => c.paths);
    expect(paths.filter((p) => UNRELATED === p || UNRELATED.startsWith(`${p}/`))).toEqual([]);
    expect(Object.keys(shipped.frozen.files)).not.toContain(UNRELATED);
  });

  it("has the shipped model found by its files' contents, and derives that very model", () => {
    const found = frozenModelAt(repo, other);
    expect(found.file).toBe(shipped.file);
    expect(found.frozen.pins.map((p) => p.commit)).not.toContain(other);
    expect(deriveModel(gitTreeReader(repo, other))).toEqual(shipped.frozen.model);
  });

  it("a fixture whose model files changed instead has no shipped model, and the lookup names the files", () => {
    const changed = commitAppending("drivers/net/mhi_net.c", "/* A line Debian's next tarball adds. */");
    expect(shippedModelsAgainst(repo, changed)[0]).toMatchObject({
      file: shipped.file,
      differs: ["drivers/net/mhi_net.c"],
    });
    expect(() => frozenModelAt(repo, changed)).toThrow(
      `no shipped frozen model matches ${changed.slice(0, 12)} (${upstream.tag} again, other bytes in drivers/net/mhi_net.c) of ${repo}: the nearest, ${basename(shipped.file)}, was derived from other contents of drivers/net/mhi_net.c`,
    );
  });

  it("a run at it validates against the shipped model, and the model command names that model", async () => {
    const out = join(tempDir("identity-run"), "out");
    const sources = ["linux-next", "net-next"].flatMap((s) => ["--source", `${s}=${repo}@${other}`]);
    const run = await kbackport(["run", RECIPE, "--kernel", headers510(), "--out", out, ...sources], {
      KBACKPORT_CACHE_DIR: cache,
    });
    expect(run.exitCode).toBe(0);

    const validated = await kbackport(["validate", out, "--json"]);
    expect(validated.exitCode).toBe(0);
    const frozenAt = shipped.frozen.pins.map((p) => `${p.source} ${p.commit.slice(0, 12)}`).join(", ");
    expect(JSON.parse(validated.stdout).model).toBe(
      `${relative(ROOT, shipped.file)} (frozen at ${frozenAt}; the run's pins hold the same files)`,
    );

    const model = await kbackport(["model", out, "--json"], { KBACKPORT_CACHE_DIR: cache });
    expect(model.exitCode).toBe(0);
    expect(JSON.parse(model.stdout) as ModelRunReport).toEqual({
      pins: [
        { source: "linux-next", commit: other, subject: expect.stringContaining(" again, other bytes in ") },
        { source: "net-next", commit: other, subject: expect.stringContaining(" again, other bytes in ") },
      ],
      files: Object.keys(shipped.frozen.files).length,
      frozen: shipped.file,
    });
  });

  it("refresh --write from the fixture to it, for bullseye's 5.10 headers, freezes the shipped model at its pins", async () => {
    const recipe = recipeAt(repo, upstream.commit);
    const before = readFileSync(recipe, "utf8");
    const r = await kbackport(
      [
        "refresh",
        recipe,
        "--to",
        `linux-next=${other},net-next=${other}`,
        "--kernel",
        headers510(),
        "--out",
        join(tempDir("identity-refresh"), "out"),
        "--write",
        "--json",
      ],
      { KBACKPORT_CACHE_DIR: cache },
    );
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as RefreshReport;
    expect(report.ok).toBe(true);
    expect(report.targets.map((t) => [t.current.built, t.next.built, t.next.violations])).toEqual([
      [true, true, []],
    ]);
    // The driver sources did not move: no rule, no model fact, no upstream commit of the recipe's paths.
    const t = report.targets[0]!;
    expect(t.rules.filter((x) => !["still needed", "not needed"].includes(x.state) || x.sitesMoved)).toEqual(
      [],
    );
    expect([t.newErrors, t.newWarnings, t.unlisted]).toEqual([[], [], []]);
    expect(report.modelDrift).toEqual([]);
    expect(report.upstream).toEqual([
      { source: "linux-next", commits: [] },
      { source: "net-next", commits: [] },
    ]);

    expect(report.written).toBe(true);
    expect(readFileSync(recipe, "utf8")).toBe(
      before.replaceAll(`commit: ${upstream.commit}`, `commit: ${other}`),
    );
    const written = join(
      dirname(recipe),
      "models/mhi-wwan",
      `linux-next-${other.slice(0, 12)}_net-next-${other.slice(0, 12)}.json`,
    );
    expect(report.frozenModel).toBe(written);
    const frozen = JSON.parse(readFileSync(written, "utf8")) as FrozenModel;
    expect(frozen.pins.map((p) => [p.source, p.commit])).toEqual([
      ["linux-next", other],
      ["net-next", other],
    ]);
    expect(frozen.model).toEqual(shipped.frozen.model);
    expect(frozen.files).toEqual(shipped.frozen.files);
  });
});
