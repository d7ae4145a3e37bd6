import { describe, expect, it } from "vitest";
import { systemFault } from "../src/faults.js";

const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: oops`), { code, path });

describe("system faults", () => {
  it("name the cause, the path and what was being done, with a hint for the cause", () => {
    expect(systemFault(errno("ENOSPC", "/o/x"), "transform failed")).toMatchObject({
      message: "transform failed: no space left on the device (/o/x)",
      hint: "free space on that filesystem (df -h shows it), or put --out or KBACKPORT_CACHE_DIR on another one",
    });
    expect(systemFault(errno("EROFS", "/ro"), "w")?.hint).toBe(
      "choose an --out or KBACKPORT_CACHE_DIR on a writable filesystem",
    );
    expect(systemFault(errno("EACCES"), "w")?.message).toBe("w: permission denied");
  });

  it("read git's words for them, quoting its fatal line", () => {
    const git = new Error(
      "error: copy-fd: write returned: No space left on device\nfatal: cannot copy 'a' to '/c/b': No space left on device\n",
    );
    expect(systemFault(git, "fetch failed")?.message).toBe(
      "fetch failed: no space left on the device: fatal: cannot copy 'a' to '/c/b': No space left on device",
    );
    expect(
      systemFault(new Error("x"), "d", "fatal: unable to create '/c/l': Read-only file system")?.message,
    ).toBe("d: the filesystem is read-only");
  });

  it("leave every other error alone", () => {
    expect(systemFault(errno("ENOENT", "/x"), "d")).toBeUndefined();
    expect(systemFault(new Error("fatal: repository not found"), "d")).toBeUndefined();
  });
});
