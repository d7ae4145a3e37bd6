/** A range of the original text an edit keeps: it is written out with the edits inside it applied. */
export interface Kept {
  start: number;
  end: number;
}

/**
 * One replacement in a file's text, by character offsets. `text` is either the new text or a template
 * of new text and kept ranges: `u64_stats_add(&x, v)` becomes `["(", x, ") += (", v, ")"]`, so an edit
 * inside `x` or `v` (a nested call, a type in a cast) is applied inside the rewritten call.
 */
export interface Edit {
  start: number;
  end: number;
  text: string | readonly (string | Kept)[];
}

/** Two edits that touch the same text without one keeping the other's: neither can be applied. */
export class EditConflict<E extends Edit> extends Error {
  constructor(
    readonly first: E,
    readonly second: E,
  ) {
    super(`edits at offsets ${first.start}-${first.end} and ${second.start}-${second.end} overlap`);
  }
}

interface Node<E extends Edit> {
  edit: E;
  /** Per kept range of a template, the edits inside it (in text order). */
  inner: Node<E>[][];
}

/**
 * Applies edits to a text. Edits may nest: one inside a range another keeps is applied there first.
 * Zero-width insertions at the same offset keep their order. Throws EditConflict on any other overlap.
 */
export function applyEdits<E extends Edit>(src: string, edits: readonly E[]): string {
  // Start first; at one start, insertions before replacements, then the wider edit (the one that may keep the other).
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort(
      (a, b) =>
        a.edit.start - b.edit.start ||
        Number(a.edit.end !== a.edit.start) - Number(b.edit.end !== b.edit.start) ||
        b.edit.end - a.edit.end ||
        a.order - b.order,
    )
    .map((e) => e.edit);
  const top: Node<E>[] = [];
  for (const edit of sorted) place(top, { edit, inner: kept(edit).map(() => []) });
  return render(src, 0, src.length, top);
}

function kept(edit: Edit): Kept[] {
  return typeof edit.text === "string" ? [] : edit.text.filter((p): p is Kept => typeof p !== "string");
}

/** Adds an edit to a list of sibling nodes in text order, or inside the kept range of the last one. */
function place<E extends Edit>(siblings: Node<E>[], node: Node<E>): void {
  const last = siblings.at(-1);
  if (!last || node.edit.start >= last.edit.end) {
    siblings.push(node);
    return;
  }
  const { start, end } = node.edit;
  const ranges = kept(last.edit);
  const k = ranges.findIndex((r) => r.start <= start && end <= r.end);
  if (k < 0) throw new EditConflict(last.edit, node.edit);
  place(last.inner[k]!, node);
}

function render<E extends Edit>(src: string, from: number, to: number, nodes: readonly Node<E>[]): string {
  let out = "";
  let pos = from;
  for (const { edit, inner } of nodes) {
    out += src.slice(pos, edit.start);
    if (typeof edit.text === "string") out += edit.text;
    else {
      let k = 0;
      for (const part of edit.text) {
        out += typeof part === "string" ? part : render(src, part.start, part.end, inner[k++]!);
      }
    }
    pos = edit.end;
  }
  return out + src.slice(pos, to);
}
