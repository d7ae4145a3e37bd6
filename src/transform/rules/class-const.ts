import { writableObjectRule } from "./writable-object.js";

export const classConst = writableObjectRule({
  id: "class-const",
  feature: "class_register_const",
  summary: "const struct class objects (definitions and extern declarations) lose their const",
  structType: "class",
});
