import { writableObjectRule } from "./writable-object.js";

export const busTypeConst = writableObjectRule({
  id: "bus-type-const",
  feature: "bus_register_const",
  upstream: '00c4a3c47da7 ("driver core: bus: constantify bus_register()")',
  summary: "const struct bus_type objects (definitions and extern declarations) lose their const",
  structType: "bus_type",
});
