import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hasTool } from "../../src/build/toolchain.js";
import { tempDir } from "../helpers/cli.js";

describe("finding tools", () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it("finds executable files on PATH only, and a path given as it is", () => {
    const bin = tempDir("path");
    writeFileSync(join(bin, "tool"), "#!/bin/sh\n");
    chmodSync(join(bin, "tool"), 0o755);
    writeFileSync(join(bin, "data"), "");
    mkdirSync(join(bin, "dir"));
    chmodSync(join(bin, "dir"), 0o755);
    process.env.PATH = ["/nonexistent", bin].join(":");
    expect(hasTool("tool")).toBe(true);
    expect(hasTool("data")).toBe(false);
    expect(hasTool("dir")).toBe(false);
    expect(hasTool("sh")).toBe(false);
    expect(hasTool(join(bin, "tool"))).toBe(true);
    expect(hasTool(join(bin, "data"))).toBe(false);
  });
});
