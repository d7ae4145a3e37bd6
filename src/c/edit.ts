/** One replacement in a file's text, by character offsets. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export function applyEdits(src: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += src.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + src.slice(pos);
}
