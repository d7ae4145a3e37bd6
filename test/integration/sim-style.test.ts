import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ROOT, tempDir } from "../helpers/cli.js";

const upstream = inject("upstream");
const SIM = join(ROOT, "sim");

/** The kernel's style checker, with the data files it reads, from the upstream fixture's newest commit. */
function checkpatch(): string {
  const dir = tempDir("checkpatch");
  mkdirSync(join(dir, "scripts"));
  for (const file of ["checkpatch.pl", "spelling.txt", "const_structs.checkpatch"]) {
    const text = execFileSync("git", ["-C", upstream.repo, "show", `${upstream.commit}:scripts/${file}`]);
    writeFileSync(join(dir, "scripts", file), text);
  }
  return join(dir, "scripts/checkpatch.pl");
}

describe("the software modem is kernel code as the kernel would take it", () => {
  it("has an SPDX line in every file and no checkpatch.pl error", () => {
    const script = checkpatch();
    const files = readdirSync(SIM).filter((f) => /\.[ch]$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const r = spawnSync("perl", [script, "--no-tree", "-f", join(SIM, file)], { encoding: "utf8" });
      expect(r.stdout, file).toMatch(/^total: 0 errors, \d+ warnings, \d+ lines checked$/m);
      expect(execFileSync("head", ["-n", "1", join(SIM, file)], { encoding: "utf8" }), file).toMatch(
        /SPDX-License-Identifier: GPL-2\.0/,
      );
    }
  });
});
