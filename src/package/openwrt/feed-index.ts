import { createHash } from "node:crypto";
import { gzip } from "./tar.js";

export interface IndexedPackage {
  fileName: string;
  /** The package's control file. */
  control: string;
  ipk: Uint8Array;
}

/**
 * A feed's Packages index as OpenWrt makes it: scripts/ipkg-make-index.sh puts Filename, Size and
 * SHA256sum before each control's Description, packages in file-name order, each followed by a blank
 * line; package/Makefile's index target then drops the fields devices do not need and pads the file
 * where old usign's SHA-512 would have mis-hashed it.
 */
export function packagesIndex(packages: readonly IndexedPackage[]): string {
  const stanzas = [...packages]
    .sort((a, b) => Buffer.compare(Buffer.from(a.fileName), Buffer.from(b.fileName)))
    .map((p) => {
      const fields =
        `Filename: ${p.fileName}\n` +
        `Size: ${p.ipk.length}\n` +
        `SHA256sum: ${createHash("sha256").update(p.ipk).digest("hex")}\n`;
      const withFields = p.control.replace(/^Description:/m, `${fields}Description:`);
      // package/Makefile@v22.03.7: grep -vE '^(Maintainer|LicenseFiles|Source|SourceName|Require|SourceDateEpoch)'
      const kept = withFields
        .split("\n")
        .filter((l) => !/^(Maintainer|LicenseFiles|Source|SourceName|Require|SourceDateEpoch)/.test(l));
      return `${kept.join("\n")}\n`;
    });
  const text = stanzas.join("");
  // package/Makefile: case "$(((64 + $(stat -L -c%s Packages)) % 128))" in 110|111) append two newlines
  const padding = [110, 111].includes((64 + Buffer.byteLength(text)) % 128) ? "\n\n" : "";
  return text + padding;
}

/** Packages.gz: `gzip -9nc Packages`. */
export function packagesGz(index: string): Buffer {
  return gzip(Buffer.from(index), 9);
}
