import { writableObjectRule } from "./writable-object.js";

export const busTypeConst = writableObjectRule({
  id: "bus-type-const",
  feature: "bus_register_const",
  summary: "const struct bus_type objects (definitions and extern declarations) lose their const",
  structType: "bus_type",
});
