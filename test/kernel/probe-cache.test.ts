import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { probeFeatures, type Feature } from "../../src/kernel/features.js";
import { cachedProbe } from "../../src/kernel/probe-cache.js";
import { settled, statSignature } from "../../src/source/stat-memo.js";
import type { KernelTarget } from "../../src/kernel/target.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function temp(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kbackport-${name}-`));
  dirs.push(dir);
  return dir;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function targetAt(dir: string): KernelTarget {
  return {
    dir,
    sourceDir: dir,
    kind: "tree",
    release: "5.10.262",
    version: "5.10.262",
    arch: "x86",
    crossCompile: "",
    compiler: "gcc",
    config: new Map(),
  };
}

const DELAY_WITH_FSLEEP = "/* fsleep() sleeps */\nstatic inline void fsleep(unsigned long usecs)\n{\n}\n";
/** Waits until the files' stat can vouch for their content (a couple of seconds after they were written). */
export async function untilSettled(paths: readonly string[]): Promise<void> {
  while (!settled(paths)) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A kernel tree holding these headers, left alone until their stat vouches for them; a cache beside it. */
async function settledKernel(headers: Record<string, string>) {
  const kernel = temp("kernel");
  for (const [path, text] of Object.entries(headers)) write(kernel, path, text);
  await untilSettled(Object.keys(headers).map((path) => join(kernel, path)));
  return { kernel, cache: temp("cache"), target: targetAt(kernel) };
}

const fsleepOf = (features: ReadonlyMap<string, Feature>) => features.get("fsleep")!;

describe.concurrent("probe cache", () => {
  it("answers a second probe of the same tree from the cache, with the same features", async () => {
    const kernel = temp("kernel");
    const cache = temp("cache");
    write(kernel, "include/linux/delay.h", DELAY_WITH_FSLEEP);
    const target = targetAt(kernel);
    const delay = join(kernel, "include/linux/delay.h");
    let probes = 0;
    const probe = async () => {
      probes++;
      return {
        features: [...(await probeFeatures(target)).values()],
        looked: [delay],
        stats: [statSignature(delay)],
      };
    };
    // A header written a moment ago is probed every time: its stat cannot vouch for its content yet.
    await cachedProbe(target, cache, probe);
    await cachedProbe(target, cache, probe);
    expect(probes).toBe(2);
    await untilSettled([delay]);
    const first = await cachedProbe(target, cache, probe);
    const second = await cachedProbe(target, cache, probe);
    expect(probes).toBe(3);
    expect(second).toEqual(first);
    expect(first.find((f) => f.id === "fsleep")).toMatchObject({
      present: true,
      evidence: "include/linux/delay.h:2: static inline void fsleep(unsigned long usecs)",
    });
  });

  it("probes again when a header it read changes, or one it looked for appears", async () => {
    const { kernel, cache, target } = await settledKernel({
      "include/linux/delay.h": DELAY_WITH_FSLEEP,
      "include/linux/device.h": "struct bus_type;\n",
    });
    const busMatch = async () => (await probeFeatures(target, [], cache)).get("bus_type.match_const_driver")!;
    // Kept: fsleep in delay.h; bus.h looked for and absent, so device.h decided the bus callbacks.
    expect(fsleepOf(await probeFeatures(target, [], cache)).present).toBe(true);
    expect((await busMatch()).evidence).toBe("not found in include/linux/device.h");
    expect(readdirSync(join(cache, "probes"))).toHaveLength(1);

    write(
      kernel,
      "include/linux/device/bus.h",
      "struct bus_type {\n\tint (*match)(struct device *dev, const struct device_driver *drv);\n};\n",
    );
    expect(await busMatch()).toMatchObject({
      present: true,
      evidence: expect.stringMatching(/^include\/linux\/device\/bus\.h:2: /) as unknown,
    });
    write(kernel, "include/linux/delay.h", "/* no fsleep here */\n");
    expect(fsleepOf(await probeFeatures(target, [], cache))).toMatchObject({
      present: false,
      evidence: "not found in include/linux/delay.h",
    });
  });

  it("applies --assume-missing to cached results, and survives a damaged cache file", async () => {
    const { cache, target } = await settledKernel({ "include/linux/delay.h": DELAY_WITH_FSLEEP });
    await probeFeatures(target, [], cache);
    expect(fsleepOf(await probeFeatures(target, ["fsleep"], cache))).toMatchObject({
      present: false,
      assumedMissing: true,
      evidence:
        "assumed missing; probe found include/linux/delay.h:2: static inline void fsleep(unsigned long usecs)",
    });
    const [dir] = readdirSync(join(cache, "probes"));
    const [file] = readdirSync(join(cache, "probes", dir!));
    writeFileSync(join(cache, "probes", dir!, file!), "{ not json");
    expect(fsleepOf(await probeFeatures(target, [], cache)).present).toBe(true);
    expect(readdirSync(join(cache, "probes", dir!))).toEqual([file]);
  });
});
