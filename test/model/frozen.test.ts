import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  freeze,
  frozenModelOfRun,
  readFrozenModels,
  writeFrozenModel,
  type FrozenModel,
} from "../../src/model/frozen.js";
import { pinFileId } from "../../src/model/pin-files.js";
import { emptyReport, type RunReport } from "../../src/report.js";
import { tempDir } from "../helpers/cli.js";
import { tinyModel } from "../helpers/tiny-model.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const model = tinyModel;

/** A run at pin `commit` of two sources: one fetched drivers/net, the other drivers/bus; both recorded sizes.h. */
function runAt(recipeFile: string, commit: string, ids: Record<string, string>): RunReport {
  return {
    ...emptyReport("build", "test"),
    recipe: { file: recipeFile, name: "modems", sha256: "" },
    sources: [
      {
        name: "net",
        url: "u",
        commit,
        dir: "/n",
        cached: true,
        paths: ["drivers/net"],
        files: { "drivers/net/a.c": ids.a! },
        recorded: { "include/linux/sizes.h": null },
      },
      {
        name: "bus",
        url: "u",
        commit,
        dir: "/b",
        cached: true,
        paths: ["drivers/bus"],
        files: { "drivers/bus/b.c": ids.b! },
        recorded: { "include/linux/sizes.h": ids.sizes! },
      },
    ],
  };
}

function recipeDir(): string {
  const dir = tempDir("frozen");
  writeFileSync(join(dir, "modems.yaml"), "name: modems\n");
  return join(dir, "modems.yaml");
}

describe("which file a run's pins give the model", () => {
  it("takes a fetched file from the source that fetched it, a header from the first pin that has it", () => {
    const run = runAt("/r/modems.yaml", A, { a: "1", b: "2", sizes: "3" });
    expect(pinFileId(run.sources, "drivers/net/a.c")).toBe("1");
    expect(pinFileId(run.sources, "drivers/bus/b.c")).toBe("2");
    expect(pinFileId(run.sources, "include/linux/sizes.h")).toBe("3");
    // Under a fetched path but not in the pin: no such file; a place no source fetched or recorded: unknown.
    expect(pinFileId(run.sources, "drivers/net/gone.c")).toBeNull();
    expect(pinFileId(run.sources, "include/linux/other.h")).toBeUndefined();
    expect(pinFileId(run.sources.slice(0, 1), "drivers/bus/b.c")).toBeUndefined();
  });
});

describe("frozen models", () => {
  it("are written beside the recipe, named by their pins, and found by the files the pins hold", async () => {
    const recipe = recipeDir();
    const at = runAt(recipe, A, { a: "1", b: "2", sizes: "3" });
    const file = await writeFrozenModel(
      recipe,
      freeze(at, {
        model: model("m"),
        files: { "drivers/net/a.c": "1", "include/linux/sizes.h": "3", "drivers/net/gone.c": null },
      }),
    );
    expect(file).toBe(
      join(recipe, "..", "models/modems", `net-${A.slice(0, 12)}_bus-${A.slice(0, 12)}.json`),
    );
    expect(readFrozenModels(join(recipe, "..", "models/modems")).map((m) => m.file)).toEqual([file]);

    // Another pin with the same contents of the model's files has the same model.
    const same = frozenModelOfRun(runAt(recipe, B, { a: "1", b: "9", sizes: "3" }));
    expect(same?.file).toBe(file);
    expect(same?.frozen.model).toEqual(model("m"));
    expect(same?.frozen.pins.map((p) => p.commit)).toEqual([A, A]);
  });

  it("serve no run whose pins hold other contents of one of their files, nor a recipe without models", async () => {
    const recipe = recipeDir();
    const at = runAt(recipe, A, { a: "1", b: "2", sizes: "3" });
    await writeFrozenModel(
      recipe,
      freeze(at, { model: model("m"), files: { "drivers/net/a.c": "1", "include/linux/sizes.h": "3" } }),
    );
    expect(frozenModelOfRun(runAt(recipe, B, { a: "7", b: "2", sizes: "3" }))).toBeUndefined();
    expect(frozenModelOfRun(runAt(recipe, B, { a: "1", b: "2", sizes: "8" }))).toBeUndefined();
    expect(frozenModelOfRun(runAt(recipeDir(), A, { a: "1", b: "2", sizes: "3" }))).toBeUndefined();
  });

  it("serve a run of some components by the files it fetched", async () => {
    const recipe = recipeDir();
    const full = runAt(recipe, A, { a: "1", b: "2", sizes: "3" });
    const files = { "drivers/net/a.c": "1", "drivers/bus/b.c": "2", "include/linux/sizes.h": "3" };
    const file = await writeFrozenModel(recipe, freeze(full, { model: model("m"), files }));
    // Only the bus source fetched (and it recorded the header): its files match, the net ones are not its concern.
    const busOnly = { ...full, sources: full.sources.slice(1) };
    expect(frozenModelOfRun(busOnly)?.file).toBe(file);
    const otherBus = runAt(recipe, B, { a: "1", b: "8", sizes: "3" });
    expect(frozenModelOfRun({ ...otherBus, sources: otherBus.sources.slice(1) })).toBeUndefined();
  });

  it("refuse a run made before pins recorded their file ids", () => {
    const run = runAt(recipeDir(), A, { a: "1", b: "2", sizes: "3" });
    delete run.sources[0]!.files;
    expect(() => frozenModelOfRun(run)).toThrow(/records no file ids of its pins/);
  });

  it("never replace a file that is not a frozen model, and name a damaged one", async () => {
    const recipe = recipeDir();
    const at = runAt(recipe, A, { a: "1", b: "2", sizes: "3" });
    const frozen: FrozenModel = freeze(at, { model: model("m"), files: {} });
    const dir = join(recipe, "..", "models/modems");
    mkdirSync(dir, { recursive: true });
    const mine = join(dir, `net-${A.slice(0, 12)}_bus-${A.slice(0, 12)}.json`);
    writeFileSync(mine, '{"my": "notes"}\n');
    await expect(writeFrozenModel(recipe, frozen)).rejects.toThrow(/exists and is not a frozen model/);
    expect(readFileSync(mine, "utf8")).toBe('{"my": "notes"}\n');
    expect(() => readFrozenModels(dir)).toThrow(
      `${mine} is not a frozen model kbackport can read: frozenModel:`,
    );
    writeFileSync(mine, "{ broken");
    expect(() => readFrozenModels(dir)).toThrow(`${mine} is not a frozen model kbackport can read:`);
    // Checked to the leaf: modules that are not modules, a device id of an unknown bus.
    writeFileSync(mine, JSON.stringify({ ...frozen, model: { ...frozen.model, modules: [1, 2, null] } }));
    expect(() => readFrozenModels(dir)).toThrow(
      `${mine} is not a frozen model kbackport can read: model.modules.0: `,
    );
    const odd = { ...frozen.model.modules[0]!, deviceIds: [{ bus: "usb", vendor: 1 }] };
    writeFileSync(mine, JSON.stringify({ ...frozen, model: { ...frozen.model, modules: [odd] } }));
    expect(() => readFrozenModels(dir)).toThrow(
      `${mine} is not a frozen model kbackport can read: model.modules.0.deviceIds.0.bus: `,
    );
  });
});
