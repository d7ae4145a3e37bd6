/**
 * SPDX names for MODULE_LICENSE() strings, as include/linux/module.h explains them: "GPL" is the GNU
 * Public License v2 or later, "GPL v2" v2 only. Other strings pass through as written.
 */
const SPDX: Record<string, string> = {
  GPL: "GPL-2.0-or-later",
  "GPL v2": "GPL-2.0-only",
  "Dual BSD/GPL": "GPL-2.0-only OR BSD-3-Clause",
  "Dual MIT/GPL": "GPL-2.0-only OR MIT",
};

export function spdxLicense(moduleLicense: string): string {
  return SPDX[moduleLicense] ?? moduleLicense;
}
