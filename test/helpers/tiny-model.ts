import type { DriverModel } from "../../src/model/types.js";

const constants = { values: { A: 1 }, source: "include/x.h" };
const layout = { name: "s", fields: [{ name: "a", type: "u32" }], size: 4, source: "include/x.h" };

/** A complete reference model of one module, as small as the schema allows. */
export function tinyModel(name: string): DriverModel {
  return {
    modules: [
      {
        name,
        sources: [`drivers/${name}.c`],
        kconfig: { symbol: `CONFIG_${name.toUpperCase()}`, dependsOn: [], source: "drivers/Kconfig" },
        requires: [],
        exports: [],
        exportsIf: {},
        deviceIds: [],
        params: [],
        registers: [],
        license: "GPL",
      },
    ],
    protocol: {
      bamDmux: {
        header: layout,
        magic: constants,
        commands: constants,
        channels: constants,
        buffer: constants,
      },
      mhi: { states: constants, executionEnvironments: constants, ringElement: layout },
    },
  };
}
