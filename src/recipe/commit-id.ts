/** A pin: a full commit id as `git rev-parse` prints it (40 hex digits, lower case). */
export const COMMIT_ID = /^[0-9a-f]{40}$/;

export const COMMIT_ID_FORM =
  "expected a full 40-hex commit id (lower case), e.g. adc218676eef25575469234709c2d87185ca223a";

export const isCommitId = (text: string): boolean => COMMIT_ID.test(text);
