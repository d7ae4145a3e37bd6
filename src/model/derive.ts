import { deriveModules, PCI_IDS } from "./derive-module.js";
import { deriveProtocol, SIZES_H } from "./derive-protocol.js";
import type { DriverModel, TreeReader } from "./types.js";

/** Kernel headers the model reads beyond the drivers' own files: a fetch for the model takes them too. */
export const MODEL_HEADERS: readonly string[] = [PCI_IDS, SIZES_H];

/** The reference model of the drivers, read from a kernel tree (an upstream checkout at the pin). */
export function deriveModel(read: TreeReader): DriverModel {
  return deriveModelReading(read).model;
}

/** The model and every path the derivation read (whether the tree had it or not): what the model rests on. */
export function deriveModelReading(read: TreeReader): { model: DriverModel; paths: string[] } {
  // Several facts come from one file (a driver and its constants): read each once.
  const texts = new Map<string, string | undefined>();
  const cached: TreeReader = (path) => {
    if (!texts.has(path)) texts.set(path, read(path));
    return texts.get(path);
  };
  const model = { modules: deriveModules(cached), protocol: deriveProtocol(cached) };
  return { model, paths: [...texts.keys()].sort() };
}
