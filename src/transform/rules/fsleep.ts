import type { Rule } from "../rule.js";

export const fsleep: Rule = {
  id: "fsleep",
  kind: "compat",
  feature: "fsleep",
  summary: "fsleep() picks udelay, usleep_range or msleep by duration, as upstream does",
  compat: {
    header: "linux/delay.h",
    definition: `#define fsleep LINUX_BACKPORT(fsleep)
static inline void fsleep(unsigned long usecs)
{
	if (usecs <= 10)
		udelay(usecs);
	else if (usecs <= 20000)
		usleep_range(usecs, 2 * usecs);
	else
		msleep(DIV_ROUND_UP(usecs, 1000));
}`,
  },
};
