#!/usr/bin/env node
// kbackport is one CommonJS bundle, loaded through V8's code cache: compiling 2 MB of JavaScript on every
// start was a large part of a short run's own time. The cache sits beside the bundle, keyed by the
// bundle's digest; where dist/ is not writable kbackport runs without it.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const bundle = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "kbackport.cjs");
const cacheFile = `${bundle}.v8cache`;
const source = readFileSync(bundle, "utf8");
// The key names the node version too: cached data another version made is never offered to V8.
const key = createHash("sha256").update(process.version).update(source).digest();
let cached;
try {
  const saved = readFileSync(cacheFile);
  if (saved.subarray(0, key.length).equals(key)) cached = saved.subarray(key.length);
} catch {
  // No cache yet.
}
const script = new Script(Module.wrap(source), { filename: bundle, cachedData: cached });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
process.exitCode = await module.exports.main(process.argv);
// Written after the run, so that it holds the functions the run compiled too.
if (cached === undefined || script.cachedDataRejected) {
  try {
    const partial = `${cacheFile}.${process.pid}`;
    writeFileSync(partial, Buffer.concat([key, script.createCachedData()]));
    renameSync(partial, cacheFile);
  } catch {
    // A read-only installation: no cache.
  }
}
