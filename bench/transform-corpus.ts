/**
 * One measured transform (run by bench/rules.ts in its own process, so its peak memory is the transform's):
 * reads every .c/.h file under a directory, runs the named rules (all when none) with every feature missing,
 * and prints one JSON line of figures. Usage: tsx bench/transform-corpus.ts DIR [RULE...]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { transform } from "../src/transform/engine.js";
import { RULES } from "../src/transform/rules/index.js";

const [dir, ...only] = process.argv.slice(2);
if (!dir) throw new Error("usage: transform-corpus.ts DIR [RULE...]");
const rules = only.length > 0 ? RULES.filter((r) => only.includes(r.id)) : RULES;
const rssBefore = process.memoryUsage().rss;

const readStart = process.hrtime.bigint();
const files = new Map<string, string>();
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.[ch]$/.test(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  files.set(relative(dir, path), readFileSync(path, "utf8"));
}
const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
const bytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);

const start = process.hrtime.bigint();
const result = transform({
  files,
  components: [{ name: "corpus", files: [...files.keys()].sort(), rules: rules.map((r) => r.id) }],
  features: new Map(),
  rules,
});
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

console.log(
  JSON.stringify({
    files: files.size,
    bytes,
    readSeconds,
    seconds,
    changed: result.changed.size,
    sites: result.rules.reduce((sum, r) => sum + r.sites.length, 0),
    rssBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
  }),
);
