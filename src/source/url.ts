import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { KbackportError } from "../errors.js";

/** Transports git may use for recipe sources; handed to git as GIT_ALLOW_PROTOCOL too. */
export const ALLOWED_PROTOCOLS = ["https", "ssh", "git", "file"] as const;

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const TRANSPORT_HELPER = /^([a-zA-Z][a-zA-Z0-9+.-]*)::/;
const SCP_LIKE = /^(?:[^@/:]+@)?[^/:]+:(?!\/\/)/;

/**
 * Turns a recipe or --source location into a URL git may fetch from. Local paths become file:// URLs,
 * because git ignores --filter (partial clone) for plain local paths.
 */
export function sourceUrl(location: string, baseDir: string, where?: string): string {
  if (location.startsWith("-")) {
    throw new KbackportError(`source URL '${location}' begins with '-', which git would take for an option`, {
      where,
      hint: "give a https/ssh/git/file URL, or a local path (./-name for a folder whose name begins with '-')",
    });
  }
  const helper = TRANSPORT_HELPER.exec(location);
  if (helper) {
    throw new KbackportError(
      `source URL '${location}' uses the git transport helper '${helper[1]}::', which is not allowed`,
      {
        where,
        hint: `use one of ${ALLOWED_PROTOCOLS.join(", ")} URLs or a local path`,
      },
    );
  }
  const scheme = SCHEME.exec(location);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (!(ALLOWED_PROTOCOLS as readonly string[]).includes(name)) {
      throw new KbackportError(`source URL '${location}' uses scheme '${name}', which is not allowed`, {
        where,
        hint: `use one of ${ALLOWED_PROTOCOLS.join(", ")} URLs or a local path`,
      });
    }
    return location;
  }
  if (SCP_LIKE.test(location) && !isAbsolute(location) && !location.startsWith(".")) return location;
  const path = resolve(baseDir, location);
  if (!existsSync(path)) {
    throw new KbackportError(`source repository '${location}' does not exist (looked for ${path})`, {
      where,
      hint: "give the path of a git repository or a https/ssh/git/file URL",
    });
  }
  return pathToFileURL(path).href;
}
