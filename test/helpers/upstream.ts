import { inject } from "vitest";

/** --source options that point both recipe sources at the local upstream fixture (its 6.12 commit, or another). */
export function fixtureSources(version?: "6.1"): string[] {
  const { repo, commit, commits } = inject("upstream");
  const pin = version ? Object.entries(commits).find(([tag]) => tag.startsWith(`v${version}.`))![1] : commit;
  return ["--source", `linux-next=${repo}@${pin}`, "--source", `net-next=${repo}@${pin}`];
}
