import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { derivedDir, readDerived, writeDerived } from "../../src/source/derived.js";
import { memoByStat, settled } from "../../src/source/stat-memo.js";
import { cachedOutcomes } from "../../src/transform/outcome-store.js";
import { toolDigest } from "../../src/version.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kbackport-derived-"));
  dirs.push(dir);
  return dir;
}

describe("results derived by this build, in the cache", () => {
  it("live under the tool digest; the first write removes what older builds left", () => {
    const cache = cacheDir();
    const dir = derivedDir(cache, "probes");
    expect(dir).toBe(join(cache, "probes", toolDigest().slice(0, 16)));
    mkdirSync(join(cache, "probes", "0123456789abcdef"), { recursive: true });
    writeFileSync(join(cache, "probes", "0123456789abcdef", "old.json"), "{}");
    writeDerived(dir, "a.json", JSON.stringify({ a: 1 }));
    expect(readdirSync(join(cache, "probes"))).toEqual([toolDigest().slice(0, 16)]);
    writeDerived(dir, "b.json", JSON.stringify({ b: 2 }));
    expect(readdirSync(dir).sort()).toEqual(["a.json", "b.json"]);
    expect(readDerived(dir, "a.json")).toEqual({ a: 1 });
    expect(readDerived(dir, "absent.json")).toBeUndefined();
  });

  it("keep file outcomes, and take a damaged or foreign one for none", () => {
    const cache = cacheDir();
    const store = cachedOutcomes(cache);
    const outcome = { sites: { fsleep: [3, 9] }, text: "fsleep(1);\n" };
    store.set("k1", outcome);
    expect(store.get("k1")).toEqual(outcome);
    expect(store.get("k2")).toBeUndefined();
    const dir = derivedDir(cache, "transform");
    writeFileSync(join(dir, "k3.json"), '{"sites": {"fsleep": [3]');
    writeFileSync(join(dir, "k4.json"), '{"sites": {"fsleep": 3}}');
    writeFileSync(join(dir, "k5.json"), '{"sites": {}, "text": 7}');
    expect([store.get("k3"), store.get("k4"), store.get("k5")]).toEqual([undefined, undefined, undefined]);
  });

  it("keep what was made of a file while its stat stays, once the file has settled", async () => {
    const cache = cacheDir();
    const file = join(cache, "config");
    writeFileSync(file, "CONFIG_A=y\n");
    let derived = 0;
    const lines = () =>
      memoByStat(cache, "lines", file, (bytes) => {
        derived++;
        return bytes.toString("utf8").trim().split("\n");
      });
    // Just written: the stat cannot vouch for the content yet, so nothing is kept.
    expect([lines(), lines(), derived]).toEqual([["CONFIG_A=y"], ["CONFIG_A=y"], 2]);
    while (!settled([file])) await new Promise((resolve) => setTimeout(resolve, 100));
    expect([lines(), lines(), derived]).toEqual([["CONFIG_A=y"], ["CONFIG_A=y"], 3]);
    // Same size, other bytes: the stat (times) tells.
    writeFileSync(file, "CONFIG_B=y\n");
    expect([lines(), derived]).toEqual([["CONFIG_B=y"], 4]);
  });
});
