#!/usr/bin/env node
"use strict";
// kbackport is one CommonJS bundle, loaded through V8's code cache: compiling 2 MB of JavaScript on every
// start was a large part of a short run's own time. The cache sits beside the bundle, keyed by the
// bundle's digest; where dist/ is not writable kbackport runs without it. This launcher is CommonJS too:
// node starts an ES module entry point some 10 ms later.
const { createHash } = require("node:crypto");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const bundle = join(__dirname, "..", "dist", "kbackport.cjs");
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
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, Module.createRequire(bundle), bundled, bundle, dirname(bundle));
bundled.exports.main(process.argv).then((code) => {
  process.exitCode = code;
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
});
