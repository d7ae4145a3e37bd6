import { isScalar, parseDocument } from "yaml";
import { KbackportError } from "../errors.js";

/**
 * The recipe text with new pins: each source's `commit:` value is replaced where it stands, so comments
 * and layout stay byte for byte; `notes` (for --allow-broken) become comment lines above the commit.
 */
export function rewritePins(
  text: string,
  file: string,
  pins: ReadonlyMap<string, string>,
  notes: ReadonlyMap<string, string[]> = new Map(),
): string {
  const doc = parseDocument(text);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const [name, commit] of pins) {
    const node = doc.getIn(["sources", name, "commit"], true);
    if (!isScalar(node) || !node.range)
      throw new KbackportError(`${file}: source '${name}' has no commit to update`);
    const [start, end] = node.range;
    edits.push({ start, end, text: commit });
    const lines = notes.get(name) ?? [];
    if (lines.length > 0) {
      const lineStart = text.lastIndexOf("\n", start) + 1;
      const indent = /^\s*/.exec(text.slice(lineStart))![0];
      edits.push({ start: lineStart, end: lineStart, text: lines.map((l) => `${indent}# ${l}\n`).join("") });
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}
