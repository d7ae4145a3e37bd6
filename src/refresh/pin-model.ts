import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { componentOf, componentRules } from "../build/explain.js";
import { deriveModel, MODEL_HEADERS } from "../model/derive.js";
import type { DriverModel } from "../model/types.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { RunReport } from "../report.js";
import { fetchSource } from "../source/sparse-fetch.js";

/**
 * The reference model derived at a run's pins, from what the run fetched plus the few kernel headers the
 * model reads besides (fetched the same sparse way): each file is read from the source of the component
 * whose paths hold it, headers from the first source that has them.
 */
export async function modelAtPins(
  components: readonly SelectedComponent[],
  report: RunReport,
  cacheDir: string,
  offline: boolean,
): Promise<DriverModel> {
  const headerDirs: string[] = [];
  for (const s of report.sources) {
    const tree = await fetchSource(
      { name: s.name, url: s.url, commit: s.commit, paths: MODEL_HEADERS },
      cacheDir,
      offline,
    );
    headerDirs.push(tree.dir);
  }
  const owners = componentRules(components);
  const dirOf = (path: string) => {
    const owner = componentOf(owners, path);
    const source = owner && components.find((c) => c.name === owner.name)!.source;
    return report.sources.find((s) => s.name === source)?.dir;
  };
  return deriveModel((path) => {
    for (const dir of [dirOf(path), ...headerDirs]) {
      if (dir && existsSync(join(dir, path))) return readFileSync(join(dir, path), "utf8");
    }
    return undefined;
  });
}
