import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/cli.js";

/** A package with kbackport's launcher and a bundle whose main prints `word`. */
function withBundle(root: string, word: string): void {
  writeFileSync(
    join(root, "dist/kbackport.cjs"),
    `exports.main = async () => { process.stdout.write(${JSON.stringify(word)}); return 0; };\n`,
  );
}

describe("the launcher's code cache", () => {
  it("is written after a run and never runs a changed bundle from the old one", async () => {
    const root = tempDir("launcher");
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "dist"));
    cpSync(join(ROOT, "bin/kbackport.cjs"), join(root, "bin/kbackport.cjs"));
    const launch = () => execa(process.execPath, [join(root, "bin/kbackport.cjs")]);
    withBundle(root, "first");
    expect((await launch()).stdout).toBe("first");
    expect(existsSync(join(root, "dist/kbackport.cjs.v8cache"))).toBe(true);
    expect((await launch()).stdout).toBe("first");
    // Same length, other code: V8's own check of a cache looks at the length only.
    withBundle(root, "again");
    expect((await launch()).stdout).toBe("again");
  });
});
