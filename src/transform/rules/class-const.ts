import { writableObjectRule } from "./writable-object.js";

export const classConst = writableObjectRule({
  id: "class-const",
  feature: "class_register_const",
  upstream: '43a7206b0963 ("driver core: class: make class_register() take a const *")',
  summary: "const struct class objects (definitions and extern declarations) lose their const",
  structType: "class",
});
