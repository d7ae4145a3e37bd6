import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pinsContentKey, type PinnedModel } from "../../src/model/at-pins.js";
import { freeze, writeFrozenModel } from "../../src/model/frozen.js";
import { describeRunModel, runModel } from "../../src/model/run-model.js";
import { emptyReport, type RunReport } from "../../src/report.js";
import { derivedDir, writeDerived } from "../../src/source/derived.js";
import { tempDir } from "../helpers/cli.js";
import { tinyModel } from "../helpers/tiny-model.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const model = tinyModel;

/** A run of one source at `commit`, its recipe at `recipeFile` (a file that need not exist). */
function runAt(recipeFile: string, commit: string, id: string): RunReport {
  return {
    ...emptyReport("build", "test"),
    recipe: { file: recipeFile, name: "modems", sha256: "" },
    components: ["net"],
    sources: [
      {
        name: "net",
        url: "u",
        commit,
        dir: "/n",
        cached: true,
        paths: ["drivers/net"],
        files: { "drivers/net/a.c": id },
        recorded: { "include/linux/sizes.h": null },
      },
    ],
  };
}

describe("the contents a model is derived from", () => {
  it("are keyed by the pins' file ids and where they are read, not by the commits", () => {
    const key = (run: RunReport) => pinsContentKey(run.sources);
    expect(key(runAt("/r/m.yaml", A, "1"))).toBe(key(runAt("/r/m.yaml", B, "1")));
    expect(key(runAt("/r/m.yaml", A, "1"))).not.toBe(key(runAt("/r/m.yaml", A, "2")));
    const elsewhere = runAt("/r/m.yaml", A, "1");
    elsewhere.sources[0]!.paths = ["drivers/net/a.c"];
    expect(key(elsewhere)).not.toBe(key(runAt("/r/m.yaml", A, "1")));
  });
});

describe("a run's reference model", () => {
  it("is the frozen one its pins hold, named by its file and the pins it was frozen at", async () => {
    const dir = tempDir("run-model");
    const recipe = join(dir, "modems.yaml");
    writeFileSync(recipe, "name: modems\n");
    const file = await writeFrozenModel(
      recipe,
      freeze(runAt(recipe, A, "1"), { model: model("m"), files: { "drivers/net/a.c": "1" } }),
    );
    const cacheDir = tempDir("run-model-cache");
    const same = runAt(recipe, A, "1");
    const ref = await runModel(same, { cacheDir, offline: true });
    expect(ref).toMatchObject({ origin: "frozen", file, model: model("m") });
    expect(describeRunModel(ref, same)).toBe(`${file} (frozen at net ${A.slice(0, 12)})`);
    const other = runAt(recipe, B, "1");
    expect(describeRunModel(await runModel(other, { cacheDir, offline: true }), other)).toBe(
      `${file} (frozen at net ${A.slice(0, 12)}; the run's pins hold the same files)`,
    );
  });

  it("is derived at the run's pins when no frozen model holds their files, and read from the cache after", async () => {
    const cacheDir = tempDir("run-model-cache");
    const run = runAt(join(tempDir("run-model"), "gone.yaml"), B, "7");
    // A model derived earlier from the same contents: taken from the cache, nothing fetched (offline).
    const derived: PinnedModel = { model: model("d"), files: { "drivers/net/a.c": "7" } };
    writeDerived(
      derivedDir(cacheDir, "models"),
      `${pinsContentKey(run.sources)}.json`,
      JSON.stringify(derived),
    );
    const ref = await runModel(run, { cacheDir, offline: true });
    expect(ref).toEqual({ origin: "derived", model: model("d"), pins: [{ source: "net", commit: B }] });
    expect(describeRunModel(ref, run)).toBe(
      `derived at the run's pins (net ${B.slice(0, 12)}); no frozen model to compare with`,
    );
  });
});
