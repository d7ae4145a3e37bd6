import { z } from "zod";
import type { DriverModel } from "./types.js";

/**
 * The reference model as a schema, to the leaf: a frozen model is generated data a user may edit or a
 * job may damage, and every later check trusts its shape. Kept beside types.ts, which it must mirror
 * (the `satisfies` below fails to compile when the two part).
 */
const DeviceIdShape = z.discriminatedUnion("bus", [
  z.strictObject({
    bus: z.literal("pci"),
    vendor: z.number().int(),
    device: z.number().int(),
    subvendor: z.number().int().optional(),
    subdevice: z.number().int().optional(),
    name: z.string(),
  }),
  z.strictObject({ bus: z.literal("mhi"), channel: z.string() }),
  z.strictObject({ bus: z.literal("of"), compatible: z.string() }),
  z.strictObject({ bus: z.literal("rpmsg"), name: z.string() }),
]);

const RegistrationShape = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("bus"), name: z.string() }),
  z.strictObject({ kind: z.literal("class"), name: z.string() }),
  z.strictObject({ kind: z.literal("driver"), bus: z.string(), name: z.string() }),
]);

const ModuleShape = z.strictObject({
  name: z.string().min(1),
  sources: z.array(z.string()).min(1),
  kconfig: z.strictObject({ symbol: z.string(), dependsOn: z.array(z.string()), source: z.string() }),
  requires: z.array(z.string()),
  exports: z.array(z.string()),
  exportsIf: z.record(z.string(), z.array(z.string())),
  deviceIds: z.array(DeviceIdShape),
  params: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  registers: z.array(RegistrationShape),
  license: z.string(),
});

const StructShape = z.strictObject({
  name: z.string(),
  fields: z.array(
    z.strictObject({
      name: z.string(),
      type: z.string(),
      bits: z.number().int().optional(),
      count: z.number().int().optional(),
    }),
  ),
  size: z.number().int(),
  source: z.string(),
});

const ConstantsShape = z.strictObject({ values: z.record(z.string(), z.number()), source: z.string() });

export const DriverModelShape = z.strictObject({
  modules: z.array(ModuleShape),
  protocol: z.strictObject({
    bamDmux: z.strictObject({
      header: StructShape,
      magic: ConstantsShape,
      commands: ConstantsShape,
      channels: ConstantsShape,
      buffer: ConstantsShape,
    }),
    mhi: z.strictObject({
      states: ConstantsShape,
      executionEnvironments: ConstantsShape,
      ringElement: StructShape,
    }),
  }),
}) satisfies z.ZodType<DriverModel>;
