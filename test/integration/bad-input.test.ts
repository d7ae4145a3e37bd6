import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { kbackport, kbackportJson, ROOT, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { commit } from "../helpers/git.js";
import { fixtureSources } from "../helpers/upstream.js";

const RECIPE = join(ROOT, "recipes/mhi-wwan.yaml");
const recipeText = readFileSync(RECIPE, "utf8");
let cache: string;
let out: string;
let previous: string;

/** A copy of the shipped recipe with one change, in a directory of its own. */
function recipeWith(from: string, to: string): string {
  if (!recipeText.includes(from)) throw new Error(`the recipe has no '${from}'`);
  const file = join(tempDir("recipe"), "mhi-wwan.yaml");
  writeFileSync(file, recipeText.replace(from, to));
  return file;
}

const lineOf = (file: string, text: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text)) + 1;

beforeAll(async () => {
  cache = tempDir("bad-cache");
  out = join(tempDir("bad-out"), "out");
  const first = await kbackport(
    ["prepare", RECIPE, "--kernel", headers510(), "--components", "mhi", "--out", out, ...fixtureSources()],
    {
      KBACKPORT_CACHE_DIR: cache,
    },
  );
  expect(first.exitCode).toBe(0);
  previous = readFileSync(join(out, "report.json"), "utf8");
});

/** Runs kbackport into the output of the good run above and checks it failed cleanly. */
async function fails(args: string[], recipe = RECIPE) {
  const r = await kbackport([args[0]!, recipe, ...args.slice(1), "--out", out], {
    KBACKPORT_CACHE_DIR: cache,
  });
  expect(r.exitCode).toBe(1);
  expect(readFileSync(join(out, "report.json"), "utf8")).toBe(previous);
  expect(readdirSync(dirname(out)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  return `${r.stdout}\n${r.stderr}`;
}

describe("bad input: a clear message, exit 1, previous output untouched", () => {
  const kernel = () => ["--kernel", headers510(), "--components", "mhi"];

  it("a YAML syntax error names file:line:col", async () => {
    const file = recipeWith("    commit: adc2", "   commit: adc2");
    const text = await fails(["prepare", ...kernel(), ...fixtureSources()], file);
    expect(text).toContain(`error: ${file}:${lineOf(file, "   commit: adc2")}:1: YAML syntax error`);
  });

  it("an unknown rule names where it is written", async () => {
    const file = recipeWith("      - fsleep\n", "      - fsleep\n      - fsleeep\n");
    const text = await fails(["prepare", ...kernel(), ...fixtureSources()], file);
    expect(text).toContain(
      `error: ${file}:${lineOf(file, "- fsleeep")}:9: unknown rule 'fsleeep' in component 'mhi'`,
    );
    expect(text).toMatch(/hint: known rules: .*fsleep/);
  });

  it.each([
    ["short", "adc218676eef"],
    ["non-hex", "adc218676eef25575469234709c2d87185ca223z"],
  ])("a %s SHA in the recipe says what is expected", async (_kind, sha) => {
    const file = recipeWith("adc218676eef25575469234709c2d87185ca223a", sha);
    const text = await fails(["prepare", ...kernel(), ...fixtureSources()], file);
    expect(text).toContain(
      `${file}:${lineOf(file, `commit: ${sha}`)}:13: invalid recipe: 'sources.linux-next.commit': expected a full 40-hex commit id`,
    );
  });

  it("a SHA missing from the repository", async () => {
    const { repo } = inject("upstream");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const text = await fails(["prepare", ...kernel(), "--source", `linux-next=${repo}@${sha}`]);
    expect(text).toContain(
      `error: --source linux-next: commit ${sha} of source 'linux-next' does not exist in file://${repo}`,
    );
  });

  it("a recipe path missing at the pin names its recipe line", async () => {
    const file = recipeWith(
      "      - include/linux/mhi.h\n",
      "      - include/linux/mhi.h\n      - drivers/bus/mhi/core\n",
    );
    const text = await fails(["prepare", ...kernel(), ...fixtureSources()], file);
    expect(text).toContain(
      `error: ${file}:${lineOf(file, "drivers/bus/mhi/core")}:9: path 'drivers/bus/mhi/core' does not exist in source 'linux-next'`,
    );
  });

  it("a path escaping the tree", async () => {
    const file = recipeWith("      - include/linux/mhi.h\n", "      - ../../etc/passwd\n");
    const text = await fails(["prepare", ...kernel(), ...fixtureSources()], file);
    expect(text).toContain(
      `${file}:${lineOf(file, "../../etc/passwd")}:9: invalid recipe: 'components.mhi.paths.2': expected a normalised path inside the tree`,
    );
  });

  it("a kernel directory that is not a configured tree", async () => {
    const notConfigured = tempDir("kdir");
    writeFileSync(join(notConfigured, "Makefile"), "VERSION = 5\n");
    mkdirSync(join(notConfigured, "include"));
    const text = await fails(["prepare", "--kernel", notConfigured, ...fixtureSources()]);
    expect(text).toContain(`error: ${notConfigured} is not a configured kernel tree: .config is missing`);
    expect(text).toContain("hint: configure it first");
    expect(readdirSync(notConfigured).sort()).toEqual(["Makefile", "include"]);
  });

  it("in-tree mode on a headers directory, and in-tree choices without it", async () => {
    const headers = await fails(["run", ...kernel(), "--in-tree", ...fixtureSources()]);
    expect(headers).toContain(
      `error: --in-tree needs a kernel source tree; ${headers510()} is a headers directory`,
    );
    expect(headers).toContain("hint: pass --kernel with a configured full kernel source tree");
    const choice = await fails(["run", ...kernel(), "--duplicates", "in-tree", ...fixtureSources()]);
    expect(choice).toContain("error: --duplicates in-tree needs --in-tree");
    const inPlace = await fails(["run", ...kernel(), "--in-place", ...fixtureSources()]);
    expect(inPlace).toContain("error: --in-place needs --in-tree");
    const prepare = await fails(["prepare", ...kernel(), "--in-tree", ...fixtureSources()]);
    expect(prepare).toContain(
      "error: --in-tree builds in the kernel tree: use it with build or run, not prepare",
    );
  });

  it("a missing compiler names the package to install", async () => {
    const text = await fails([
      "run",
      ...kernel(),
      "--cross-compile",
      "nosuch-linux-gnu-",
      ...fixtureSources(),
    ]);
    expect(text).toContain("error: compiler nosuch-linux-gnu-gcc-10 not found");
    expect(text).toContain("hint: install it: apt-get install");
  });

  it("an ext:: URL is refused before git sees it", async () => {
    const marker = join(tempDir("ext"), "pwned");
    const text = await fails(["prepare", ...kernel(), "--source", `linux-next=ext::sh -c touch% ${marker}`]);
    expect(text).toContain("uses the git transport helper 'ext::', which is not allowed");
    expect(readdirSync(dirname(marker))).toEqual([]);
  });

  it("a build error shows file:line: message, not a log path", async () => {
    // Without the rule that backports container_of_const, 5.10 cannot compile the 6.12 MHI core.
    const file = recipeWith("      - container-of-const\n", "");
    const text = await fails(["run", ...kernel(), ...fixtureSources()], file);
    expect(text).toMatch(
      /include\/linux\/mhi\.h:\d+:\d+: error: implicit declaration of function .container_of_const./,
    );
    expect(text).toContain(
      "hint: the target lacks container_of_const: list rule container-of-const for component mhi\n",
    );
    expect(readdirSync(dirname(out))).toContain(`${basename(out)}.failed`);
  });
});

describe("outputs: kbackport replaces only what it wrote", () => {
  const prepare = (outArgs: string[], env: Record<string, string> = {}) =>
    kbackport(
      ["prepare", RECIPE, "--kernel", headers510(), "--components", "mhi", ...outArgs, ...fixtureSources()],
      { KBACKPORT_CACHE_DIR: cache, ...env },
    );

  it("refuses a directory holding the user's files, before any work, and writes nothing", async () => {
    const parent = tempDir("users-dir");
    const dir = join(parent, "mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "thesis.tex"), "my work");
    const unused = tempDir("unused-cache");
    const r = await prepare(["--out", dir], { KBACKPORT_CACHE_DIR: unused });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `error: --out: ${dir} (the output directory) exists and was not written by kbackport (no .kbackport-output): replacing it would lose thesis.tex`,
    );
    expect(r.stdout).toContain(
      "hint: choose a new or empty directory, or one an earlier kbackport run wrote",
    );
    expect(readFileSync(join(dir, "thesis.tex"), "utf8")).toBe("my work");
    expect(readdirSync(dir)).toEqual(["thesis.tex"]);
    expect(readdirSync(parent)).toEqual(["mine"]);
    // Refused before fetching: the cache given to this run holds no source, only what it derived (the
    // checked recipe, the kernel's parsed .config).
    expect(`${r.stdout}${r.stderr}`).not.toContain("Fetch sources");
    expect(readdirSync(unused).sort()).toEqual(["configs", "recipes"]);
  });

  it("refuses --out . from the project", async () => {
    const r = await prepare(["--out", "."]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`error: --out: the output directory ${ROOT} is kbackport itself (${ROOT})`);
    expect(existsSync(join(ROOT, ".kbackport-output"))).toBe(false);
  });

  it("refuses an output inside the kernel tree", async () => {
    const inside = join(headers510(), "kbackport-out");
    const r = await prepare(["--out", inside]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `error: --out: the output directory ${inside} is inside the kernel tree (${headers510()})`,
    );
    expect(r.stdout).toContain(
      "hint: an output replaces its directory as a whole: choose a directory outside it",
    );
    expect(existsSync(inside)).toBe(false);
  });

  it("refuses an output in the recipe's folder or the cache", async () => {
    const recipeDir = dirname(recipeWith("name: mhi-wwan", "name: mhi-wwan"));
    const r = await kbackport(
      [
        "prepare",
        join(recipeDir, "mhi-wwan.yaml"),
        "--kernel",
        headers510(),
        "--components",
        "mhi",
        "--out",
        join(recipeDir, "out"),
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: cache },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `error: --out: the output directory ${join(recipeDir, "out")} is inside the recipe's folder (${recipeDir})`,
    );
    expect(readdirSync(recipeDir)).toEqual(["mhi-wwan.yaml"]);
    // A cache in a folder of its own, that folder the output: the only relation is the one checked,
    // wherever the temporary directory and the checkout are.
    const parent = tempDir("cache-parent");
    const nested = join(parent, "cache");
    mkdirSync(nested);
    const c = await prepare(["--out", parent], { KBACKPORT_CACHE_DIR: nested });
    expect(c.exitCode).toBe(1);
    expect(c.stdout).toContain(
      `error: --out: the output directory ${parent} contains kbackport's cache (${nested})`,
    );
    expect(readdirSync(parent)).toEqual(["cache"]);
  });
});

describe("fetched trees are data: links and submodules are refused", () => {
  /** A one-commit repository with the mhi component's paths, shaped by `shape`; returns its commit. */
  async function tinyUpstream(shape: (dir: string) => Promise<void>) {
    const dir = tempDir("tiny-upstream");
    const git = (...args: string[]) => execa("git", ["-C", dir, ...args]);
    await git("init", "-q");
    await git("config", "uploadpack.allowFilter", "true");
    await git("config", "uploadpack.allowAnySHA1InWant", "true");
    mkdirSync(join(dir, "drivers/bus/mhi/host"), { recursive: true });
    mkdirSync(join(dir, "include/linux"), { recursive: true });
    for (const f of [
      "drivers/bus/mhi/host/Makefile",
      "drivers/bus/mhi/host/Kconfig",
      "drivers/bus/mhi/host/main.c",
      "include/linux/mhi.h",
      "drivers/bus/mhi/common.h",
    ])
      writeFileSync(join(dir, f), "/* data */\n");
    await shape(dir);
    await git("add", "-A");
    return { dir, commit: commit(dir, "-m", "tiny") };
  }

  const fetchFrom = async (repo: { dir: string; commit: string }) => {
    const text = await fails([
      "prepare",
      "--kernel",
      headers510(),
      "--components",
      "mhi",
      "--source",
      `linux-next=${repo.dir}@${repo.commit}`,
    ]);
    expect(text).toContain("hint: kbackport never follows links or submodules out of a fetched tree");
    return text;
  };
  const where = (path: string) => `${RECIPE}:${lineOf(RECIPE, `- ${path}`)}:9`;

  it("a symbolic link at a recipe path", async () => {
    const repo = await tinyUpstream(async (dir) => {
      await execa("ln", ["-sf", "/etc/hostname", join(dir, "drivers/bus/mhi/common.h")]);
    });
    expect(await fetchFrom(repo)).toContain(
      `error: ${where("drivers/bus/mhi/common.h")}: source 'linux-next' at ${repo.commit}: the recipe path 'drivers/bus/mhi/common.h' is a symbolic link; fetched trees may hold only regular files and directories`,
    );
  });

  it("a symbolic link in a parent directory of a recipe path", async () => {
    const repo = await tinyUpstream(async (dir) => {
      await execa("mv", [join(dir, "drivers/bus/mhi"), join(dir, "elsewhere")]);
      await execa("ln", ["-s", "../../elsewhere", join(dir, "drivers/bus/mhi")]);
    });
    expect(await fetchFrom(repo)).toContain(
      `error: ${where("drivers/bus/mhi/common.h")}: source 'linux-next' at ${repo.commit}: 'drivers/bus/mhi', a parent of the recipe path 'drivers/bus/mhi/common.h', is a symbolic link`,
    );
  });

  it("a link below a recipe directory, and a gitlink", async () => {
    const linked = await tinyUpstream(async (dir) => {
      await execa("ln", ["-s", "/etc/passwd", join(dir, "drivers/bus/mhi/host/pci_generic.c")]);
    });
    expect(await fetchFrom(linked)).toContain(
      `error: ${where("drivers/bus/mhi/host")}: source 'linux-next' at ${linked.commit}: 'drivers/bus/mhi/host/pci_generic.c' (under the recipe path 'drivers/bus/mhi/host') is a symbolic link`,
    );
    // An embedded repository is added as a gitlink, as a submodule is.
    const submodule = await tinyUpstream(async (dir) => {
      const inner = join(dir, "drivers/bus/mhi/host/firmware");
      mkdirSync(inner);
      await execa("git", ["-C", inner, "init", "-q"]);
      commit(inner, "--allow-empty", "-m", "inner");
    });
    expect(await fetchFrom(submodule)).toContain(
      `error: ${where("drivers/bus/mhi/host")}: source 'linux-next' at ${submodule.commit}: 'drivers/bus/mhi/host/firmware' (under the recipe path 'drivers/bus/mhi/host') is a gitlink (submodule)`,
    );
  });

  it("a link planted in the cache after the fetch is never followed", async () => {
    const c = tempDir("planted-cache");
    const args = ["prepare", RECIPE, "--kernel", headers510(), "--components", "mhi", ...fixtureSources()];
    const first = await kbackport([...args, "--out", join(tempDir("planted-out"), "o")], {
      KBACKPORT_CACHE_DIR: c,
    });
    expect(first.exitCode).toBe(0);
    const entry = readdirSync(join(c, "sources"), { recursive: true })
      .map(String)
      .find((p) => p.endsWith("drivers/bus/mhi/common.h"))!;
    const file = join(c, "sources", entry);
    await execa("ln", ["-sf", "/etc/hostname", file]);
    const out = join(tempDir("planted-out2"), "o");
    // Offline, the cache cannot be fetched again: refused, naming the file.
    const offline = await kbackport([...args, "--offline", "--out", out], { KBACKPORT_CACHE_DIR: c });
    expect(offline.exitCode).toBe(1);
    expect(offline.stdout).toContain(
      "the cached copy does not match the pin: drivers/bus/mhi/common.h is not a regular file",
    );
    expect(existsSync(join(`${out}.failed`, "tree/drivers/bus/mhi/common.h"))).toBe(false);
    // Online, the entry is fetched again and the output holds the pin's file, not the link's target.
    const r = await kbackportJson([...args, "--out", out], { KBACKPORT_CACHE_DIR: c });
    expect(r.exitCode).toBe(0);
    expect(r.report.warnings).toContain(
      "source 'linux-next': the cached copy did not match the pin (drivers/bus/mhi/common.h is not a regular file): fetched again",
    );
    const copied = join(out, "tree/drivers/bus/mhi/common.h");
    expect(lstatSync(copied).isFile()).toBe(true);
    expect(readFileSync(copied, "utf8")).toBe(
      execFileSync(
        "git",
        ["-C", inject("upstream").repo, "show", `${inject("upstream").commit}:drivers/bus/mhi/common.h`],
        {
          encoding: "utf8",
        },
      ),
    );
  });
});
