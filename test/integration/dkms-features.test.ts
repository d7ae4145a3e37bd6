import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeFeatures, type Feature } from "../../src/kernel/features.js";
import { readKernelTarget } from "../../src/kernel/target.js";
import { checkScript } from "../../src/package/dkms/check-script.js";
import { tempDir } from "../helpers/cli.js";
import { headers510, headers61 } from "../helpers/debian.js";

const probed = async (dir: string) => [...(await probeFeatures(readKernelTarget(dir))).values()];

/** The DKMS package's check as a package made for `release` with these features carries it. */
function script(release: string, features: readonly Feature[]): string {
  const file = join(tempDir("dkms-features"), "check-features.sh");
  writeFileSync(
    file,
    checkScript({
      name: "mhi-wwan",
      version: "20000102.4ceb3c7",
      recipe: "mhi-wwan.yaml",
      release,
      features,
    }),
  );
  return file;
}

describe("the DKMS package's feature check and kbackport's probe, on Debian's headers", () => {
  for (const [what, dir] of [
    ["bullseye's 5.10", headers510()],
    ["bookworm's 6.1", headers61()],
  ] as const) {
    it(`find the same APIs in ${what}`, async () => {
      const target = readKernelTarget(dir);
      const features = await probed(dir);
      const check = script(target.release, features);
      const r = spawnSync("sh", [check, "--probe", dir], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(features.map((f) => `${f.id} ${f.present ? "present" : "missing"}\n`).join(""));
      // Both decide by the same files: the -amd64 directory's Makefile leads to the -common one.
      expect(spawnSync("sh", [check, dir], { encoding: "utf8" }).status).toBe(0);
    });
  }

  it("refuse 6.1's headers for a backport made for 5.10, naming each API that differs and its header", async () => {
    const old = readKernelTarget(headers510());
    const now = readKernelTarget(headers61());
    const assumed = await probed(old.dir);
    const found = new Map((await probed(now.dir)).map((f) => [f.id, f.present]));
    const r = spawnSync("sh", [script(old.release, assumed), now.dir], { encoding: "utf8" });
    expect(r.status).toBe(1);
    const named = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => /^ {2}(\S+): (\S+) (has|lacks) it;/.exec(l)!.slice(1));
    const differ = assumed.filter((f) => f.present !== found.get(f.id));
    expect(named.map(([id]) => id)).toEqual(differ.map((f) => f.id));
    for (const [id, header, verdict] of named) {
      expect(header!.startsWith(`${now.sourceDir}/`)).toBe(true);
      expect(verdict).toBe(found.get(id!) ? "has" : "lacks");
    }
    console.log(r.stderr);
  });
});
