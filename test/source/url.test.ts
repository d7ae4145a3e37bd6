import { describe, expect, it } from "vitest";
import { parseSourceOverride } from "../../src/source/override.js";
import { sourceUrl } from "../../src/source/url.js";

const SHA = "adc218676eef25575469234709c2d87185ca223a";

describe("source URLs", () => {
  it.each([
    "https://git.kernel.org/x.git",
    "ssh://git@host/x.git",
    "git://host/x.git",
    "file:///srv/x",
    "git@github.com:a/b.git",
  ])("accepts %s as it is", (url) => expect(sourceUrl(url, "/")).toBe(url));

  it("turns a local path into a file:// URL so partial clone works", () => {
    expect(sourceUrl(".", import.meta.dirname)).toBe(`file://${import.meta.dirname}`);
  });

  it.each([
    ["ext::sh -c touch% /tmp/pwned", "transport helper 'ext::'"],
    ["fd::3", "transport helper 'fd::'"],
    ["http://example.invalid/x.git", "scheme 'http'"],
    ["ftp://example.invalid/x.git", "scheme 'ftp'"],
  ])("rejects %s", (url, message) => {
    expect(() => sourceUrl(url, "/", "r.yaml:4:10")).toThrow(message);
  });

  it.each(["--upload-pack=touch /tmp/pwned", "-oProxyCommand=x"])(
    "refuses %s before git sees it as an option",
    (url) => {
      expect(() => sourceUrl(url, "/", "r.yaml:4:10")).toThrow(
        `source URL '${url}' begins with '-', which git would take for an option`,
      );
    },
  );

  it("says which local repository does not exist", () => {
    expect(() => sourceUrl("./no-such-repo", "/tmp")).toThrow(
      "source repository './no-such-repo' does not exist",
    );
  });
});

describe("--source NAME=LOCATION[@COMMIT]", () => {
  it("splits name, location and commit", () => {
    expect(parseSourceOverride(`linux-next=/srv/linux@${SHA}`)).toEqual({
      name: "linux-next",
      location: "/srv/linux",
      commit: SHA,
    });
    expect(parseSourceOverride("net-next=git@github.com:a/b.git")).toEqual({
      name: "net-next",
      location: "git@github.com:a/b.git",
    });
    expect(parseSourceOverride(`x=git@github.com:a/b.git@${SHA}`).commit).toBe(SHA);
  });

  it("rejects a short commit and a missing name", () => {
    expect(() => parseSourceOverride("linux-next=/srv/linux@adc21867")).toThrow(
      "not a full 40-hex commit id",
    );
    expect(() => parseSourceOverride("/srv/linux")).toThrow("not of the form NAME=PATH_OR_URL[@COMMIT]");
  });
});
