import { codeTokens, tokenize, tokenizeUncached, type Token } from "./tokenize.js";

/** The code of a C file: its tokens without spaces or comments, so nothing in a comment is read. */
export interface CCode {
  path: string;
  text: string;
  code: readonly Token[];
}

/** A C file with every token: what readers of layout (line starts, directives) need. */
export interface CFile extends CCode {
  tokens: readonly Token[];
}

/** A C file from its text; its tokens are shared with every other reader of the same text. */
export function parseC(path: string, text: string): CFile {
  const tokens = tokenize(text);
  return { path, text, tokens, code: codeTokens(tokens) };
}

/** The code of a file read once (a whole-tree transform): made without spaces or comments, kept by nobody. */
export function readCode(path: string, text: string): CCode {
  return { path, text, code: tokenizeUncached(text, "code") };
}
