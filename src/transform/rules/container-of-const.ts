import type { Rule } from "../rule.js";

/** Older kernels have only container_of(), which drops const-ness: the code it compiles is the same. */
export const containerOfConst: Rule = {
  id: "container-of-const",
  kind: "compat",
  feature: "container_of_const",
  summary: "container_of_const() falls back to container_of()",
  compat: {
    header: "linux/kernel.h",
    definition: `#ifndef container_of_const
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#endif`,
  },
};
