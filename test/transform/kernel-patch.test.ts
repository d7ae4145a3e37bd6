import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_APIS, kernelApi, type MirroredCommit } from "../../src/kernel/api.js";
import { kernelPatch } from "../../src/transform/kernel-patch.js";
import { RULES } from "../../src/transform/rules/index.js";
import { ROOT, tempDir } from "../helpers/cli.js";

const PATCHES = join(ROOT, "patches");

/** Every shipped kernel patch: its series, file, source text and the API whose commit it mirrors. */
const shipped = readdirSync(PATCHES).flatMap((series) =>
  readdirSync(join(PATCHES, series)).map((file) => {
    const rule = RULES.find((r) => r.patch?.file === file)!;
    const path = join(PATCHES, series, file);
    return {
      name: `${series}/${file}`,
      path,
      source: readFileSync(path, "utf8"),
      api: kernelApi(rule.feature),
    };
  }),
);

/** The kernel's style checker and the data files it reads, from the upstream fixture's newest commit. */
function checkpatch(): string | undefined {
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  if (!existsSync(repo)) return undefined;
  const dir = tempDir("checkpatch");
  mkdirSync(join(dir, "scripts"));
  for (const file of ["checkpatch.pl", "spelling.txt", "const_structs.checkpatch"])
    writeFileSync(
      join(dir, "scripts", file),
      execFileSync("git", ["-C", repo, "show", `HEAD:scripts/${file}`]),
    );
  return join(dir, "scripts/checkpatch.pl");
}

describe("kernel patches", () => {
  it.each(shipped.map((p) => [p.name, p] as const))(
    "%s is headed by its API entry's commit, whose facts the file itself never states",
    (name, { path, source, api }) => {
      const commit = api.upstream as MirroredCommit;
      const lines = kernelPatch(api, source, path).split("\n");
      const head = commit.id ? [`From ${commit.id} Mon Sep 17 00:00:00 2001`] : [];
      expect(lines.slice(0, head.length + 4), name).toEqual([
        ...head,
        `From: ${commit.author}`,
        `Date: ${commit.date}`,
        `Subject: [PATCH] ${commit.subject}`,
        "",
      ]);
      const end = lines.indexOf("---");
      expect(lines.slice(end - commit.trailers.length, end), name).toEqual(commit.trailers);
      expect(lines.slice(end).join("\n"), name).toBe(source.slice(source.indexOf("---\n")));
      // The file holds kbackport's note and the hunks: no header, trailer, subject or commit id of any entry.
      expect(source, name).not.toMatch(/^(From|Date|Subject|[\w-]+-by): /m);
      expect(source, name).not.toContain(commit.subject);
      for (const other of KERNEL_APIS)
        if (other.upstream.id) expect(source, name).not.toContain(other.upstream.id.slice(0, 12));
      // Hunks as a quilt refresh writes them, OpenWrt's form.
      expect(source, name).not.toMatch(/^(diff --git|index [0-9a-f]+\.\.)/m);
    },
  );

  it("carry the mbox line only for a commit whose id is known, then kbackport's note before the trailers", () => {
    const withId = shipped.filter((p) => (p.api.upstream as MirroredCommit).id);
    const withoutId = shipped.filter((p) => !(p.api.upstream as MirroredCommit).id);
    // Both forms are shipped: the rtnetlink commits are known by id, the modpost one by subject only.
    expect(withId.length).toBeGreaterThan(0);
    expect(withoutId.map((p) => p.name)).toEqual(["5.4/0003-modpost-add-MHI-device-table-support.patch"]);
    for (const { name, path, source, api } of shipped) {
      const commit = api.upstream as MirroredCommit;
      const lines = kernelPatch(api, source, path).split("\n");
      expect(lines[0], name).toBe(
        commit.id ? `From ${commit.id} Mon Sep 17 00:00:00 2001` : `From: ${commit.author}`,
      );
      const body = lines.indexOf("") + 1;
      const note = source.slice(0, source.indexOf("---\n")).trimEnd().split("\n");
      expect(lines.slice(body, body + note.length + 1), name).toEqual([...note, ""]);
      expect(lines[body + note.length + 1], name).toBe(commit.trailers[0]);
    }
  });

  it("refuse a source without the '---' line before its hunks", () => {
    const { api } = shipped[0]!;
    expect(() => kernelPatch(api, "a note\n--- a/x\n+++ b/x\n", "patches/5.10/x.patch")).toThrow(
      "kernel patch patches/5.10/x.patch has no '---' line before its hunks",
    );
  });

  const script = checkpatch();
  it.skipIf(!script)(
    "pass the kernel's checkpatch.pl (from the upstream fixture) with no error or warning",
    () => {
      for (const { name, path, source, api } of shipped) {
        const r = spawnSync("perl", [script!, "--no-tree", "-"], {
          input: kernelPatch(api, source, path),
          cwd: tmpdir(),
          encoding: "utf8",
        });
        expect(r.stdout, name).toMatch(/^total: 0 errors, 0 warnings, (0 checks, )?\d+ lines checked$/m);
      }
    },
  );
});
