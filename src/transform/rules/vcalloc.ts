import type { Rule } from "../rule.js";

export const vcalloc: Rule = {
  id: "vcalloc",
  kind: "compat",
  feature: "vcalloc",
  summary: "vcalloc() is vzalloc() of n * size, NULL when the product overflows",
  compat: {
    header: "linux/vmalloc.h",
    definition: `#include <linux/overflow.h>
#define vcalloc LINUX_BACKPORT(vcalloc)
static inline void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return vzalloc(bytes);
}`,
  },
};
