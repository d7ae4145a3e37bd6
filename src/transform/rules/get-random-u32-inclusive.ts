import type { Rule } from "../rule.js";

export const getRandomU32Inclusive: Rule = {
  id: "get-random-u32-inclusive",
  kind: "compat",
  feature: "get_random_u32_inclusive",
  summary: "get_random_u32_inclusive() maps get_random_u32() onto the range by multiply-and-shift",
  compat: {
    header: "linux/random.h",
    definition: `#define get_random_u32_inclusive LINUX_BACKPORT(get_random_u32_inclusive)
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	u64 span = (u64)ceil - floor + 1;

	return floor + (u32)(((u64)get_random_u32() * span) >> 32);
}`,
  },
};
