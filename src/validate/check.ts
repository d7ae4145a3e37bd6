/** One finding of `kbackport validate`. */
export interface Check {
  /** vermagic, aliases, exports, depends, license, symbols, shadowing, protocol, api */
  check: string;
  /** The module or source file checked. */
  subject: string;
  status: "ok" | "violation" | "skipped";
  detail: string;
}

export const ok = (check: string, subject: string, detail: string): Check => ({
  check,
  subject,
  status: "ok",
  detail,
});

export const violation = (check: string, subject: string, detail: string): Check => ({
  check,
  subject,
  status: "violation",
  detail,
});

export const skipped = (check: string, subject: string, detail: string): Check => ({
  check,
  subject,
  status: "skipped",
  detail,
});
