import { inject } from "vitest";

/** --source options that point both recipe sources at the local upstream fixture. */
export function fixtureSources(): string[] {
  const { repo, commit } = inject("upstream");
  return ["--source", `linux-next=${repo}@${commit}`, "--source", `net-next=${repo}@${commit}`];
}
