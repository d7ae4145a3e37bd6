import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { ROOT, tempDir } from "./cli.js";

/** --source options that point both recipe sources at the local upstream fixture (its 6.12 commit, or another). */
export function fixtureSources(version?: "6.1"): string[] {
  const { repo, commit, commits } = inject("upstream");
  const pin = version ? Object.entries(commits).find(([tag]) => tag.startsWith(`v${version}.`))![1] : commit;
  return ["--source", `linux-next=${repo}@${pin}`, "--source", `net-next=${repo}@${pin}`];
}

/** The shipped recipe with both sources at `commit` of `repo`, in a folder of its own. */
export function recipeAt(repo: string, commit: string): string {
  const file = join(tempDir("refresh-recipe"), "mhi-wwan.yaml");
  const text = readFileSync(join(ROOT, "recipes/mhi-wwan.yaml"), "utf8")
    .replace(/url: https:\/\/\S+/g, `url: ${repo}`)
    .replace(/commit: [0-9a-f]{40}/g, `commit: ${commit}`);
  writeFileSync(file, text);
  return file;
}
