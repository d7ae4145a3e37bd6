import { KbackportError } from "../errors.js";
import { isCommitId } from "../recipe/commit-id.js";

/** A `--source NAME=LOCATION[@COMMIT]` option: another repository (and commit) for a recipe source. */
export interface SourceOverride {
  name: string;
  location: string;
  commit?: string;
}

export function parseSourceOverride(text: string): SourceOverride {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new KbackportError(`--source '${text}' is not of the form NAME=PATH_OR_URL[@COMMIT]`, {
      hint: "for example --source linux-next=/srv/linux@adc218676eef25575469234709c2d87185ca223a",
    });
  }
  const name = text.slice(0, eq);
  const rest = text.slice(eq + 1);
  const at = rest.lastIndexOf("@");
  const tail = at >= 0 ? rest.slice(at + 1) : "";
  // "git@host:repo" has an '@' that is not a commit separator: only a trailing '@<hex>' is one.
  if (at > 0 && /^[0-9a-zA-Z]+$/.test(tail) && !tail.includes(":")) {
    if (!isCommitId(tail)) {
      throw new KbackportError(`--source ${name}: '${tail}' is not a full 40-hex commit id`, {
        hint: "give the whole commit id (git rev-parse <rev>), not an abbreviation or a branch name",
      });
    }
    return { name, location: rest.slice(0, at), commit: tail };
  }
  return { name, location: rest };
}
