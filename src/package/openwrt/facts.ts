import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { PACKAGE_ROOT } from "../../version.js";

/** OpenWrt facts kept as data in openwrt/ at the top of kbackport, each citing its OpenWrt source. */
export const OPENWRT_DIR = join(PACKAGE_ROOT, "openwrt");

const PackageFacts = z.object({
  package: z.string().regex(/^kmod-[a-z0-9-]+$/),
  title: z.string(),
  submenu: z.string(),
  description: z.string(),
  autoload: z.boolean(),
  openwrt: z.string().optional(),
});

const ReleaseFamily = z.object({
  id: z.string(),
  releases: z.array(z.string()),
  kernelMk: z.object({ EXTRA_DEPENDS: z.string(), VERSION: z.string() }),
  kernelPackage: z.string(),
  kmod: z.string(),
  installedSize: z.enum(["data.tar.gz", "data.tar"]),
  sourceName: z.enum(["package", "source"]),
});

export type PackageFacts = z.infer<typeof PackageFacts>;
export type ReleaseFamily = z.infer<typeof ReleaseFamily>;

/**
 * The name a KernelPackage is defined by, which also names its etc/modules.d file: the package name
 * without "kmod-" (include/kernel.mk: Package/kmod-$(1), ModuleAutoLoad writes modules.d/$(3)$(1)).
 */
export function kernelPackageName(facts: Pick<PackageFacts, "package">): string {
  return facts.package.replace(/^kmod-/, "");
}

/** Reads one data file once, on first use: commands that do not package never read them. */
function lazy<T>(file: string, schema: z.ZodType<T>): () => T {
  let value: T | undefined;
  return () => (value ??= schema.parse(parse(readFileSync(join(OPENWRT_DIR, file), "utf8"))));
}

const packages = lazy("packages.yaml", z.object({ modules: z.record(z.string(), PackageFacts) }));
const families = lazy("releases.yaml", z.object({ families: z.array(ReleaseFamily) }));
const patchNumbers = lazy(
  "kernel-patches.yaml",
  z.object({ patches: z.record(z.string(), z.number().int().min(0).max(999)) }),
);

/** Per module: OpenWrt's package name, title, submenu, description and autoload. */
export const packageFacts = (): Readonly<Record<string, PackageFacts>> => packages().modules;

/** How each family of OpenWrt releases versions and packs kernel packages. */
export const releaseFamilies = (): readonly ReleaseFamily[] => families().families;

/** The OpenWrt backport number of each of kbackport's kernel patch files. */
export const backportNumbers = (): Readonly<Record<string, number>> => patchNumbers().patches;
