import { describe, expect, it } from "vitest";
import { applyEdits } from "../../../src/transform/c/edit.js";
import { busMatchConstDriver } from "../../../src/transform/rules/bus-match-const-driver.js";
import { busTypeConst } from "../../../src/transform/rules/bus-type-const.js";
import { busUeventConstDevice } from "../../../src/transform/rules/bus-uevent-const-device.js";
import { traceAssignStrOneArg } from "../../../src/transform/rules/trace-assign-str-one-arg.js";
import { u64Stats } from "../../../src/transform/rules/u64-stats.js";
import type { RewriteRule } from "../../../src/transform/rule.js";

const run = (rule: RewriteRule, src: string) => applyEdits(src, rule.rewrite(src, "x.c"));

describe("u64-stats", () => {
  it("turns counters into u64 and unwraps every helper", () => {
    const src = `struct s {
	u64_stats_t rx_packets; /* u64_stats_t stays in comments */
	u64_stats_t *ptr;
};
void f(struct s *s, struct sk_buff *skb)
{
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, skb->len + 4);
	u64_stats_set(s->ptr, 0);
	u64_stats_dec(&s->x[foo(1, 2)]);
	stats->rx = u64_stats_read(&s->rx_packets);
	pr_info("u64_stats_inc(&x)");
	u64_stats_update_begin(&s->syncp);
}`;
    expect(run(u64Stats, src)).toBe(`struct s {
	u64 rx_packets; /* u64_stats_t stays in comments */
	u64 *ptr;
};
void f(struct s *s, struct sk_buff *skb)
{
	(s->rx_packets)++;
	(s->rx_bytes) += (skb->len + 4);
	(*(s->ptr)) = (0);
	(s->x[foo(1, 2)])--;
	stats->rx = (s->rx_packets);
	pr_info("u64_stats_inc(&x)");
	u64_stats_update_begin(&s->syncp);
}`);
  });

  it("changes nothing in code that has no u64_stats_t", () => {
    expect(u64Stats.rewrite("u64 x; u64_stats_update_begin(&s);", "x.c")).toEqual([]);
  });
});

describe("trace-assign-str-one-arg", () => {
  it("gives __assign_str back the source of its event's __string", () => {
    const src = `TRACE_EVENT(a,
	TP_STRUCT__entry(__string(name, mhi_cntrl->mhi_dev->name) __string(other, foo(x, y))),
	TP_fast_assign(__assign_str(name); __assign_str(other);));
TRACE_EVENT(b, TP_STRUCT__entry(__string(name, dev_name(d))), TP_fast_assign(__assign_str(name);));`;
    const out = run(traceAssignStrOneArg, src);
    expect(out).toContain("__assign_str(name, mhi_cntrl->mhi_dev->name); __assign_str(other, foo(x, y));");
    expect(out).toContain("TP_fast_assign(__assign_str(name, dev_name(d));)");
  });

  it("leaves two-argument calls alone", () => {
    expect(traceAssignStrOneArg.rewrite("__string(n, s) __assign_str(n, s);", "t.h")).toEqual([]);
  });
});

describe("bus_type rules", () => {
  const src = `static int mhi_match(struct device *dev, const struct device_driver *drv)
{
	const struct device_driver *unrelated = drv;
	return 0;
}
static int mhi_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	return 0;
}
static int other(const struct device *dev) { return 0; }
extern const struct bus_type mhi_bus_type;
const struct bus_type mhi_bus_type = {
	.name = "mhi",
	.match = mhi_match,
	.uevent = mhi_uevent,
};
int g(const struct bus_type *bus);`;

  it("drops const from the match() callback's driver parameter only", () => {
    const out = run(busMatchConstDriver, src);
    expect(out).toContain("static int mhi_match(struct device *dev, struct device_driver *drv)");
    expect(out).toContain("const struct device_driver *unrelated = drv;");
  });

  it("drops const from the uevent() callback's device parameter only", () => {
    const out = run(busUeventConstDevice, src);
    expect(out).toContain("static int mhi_uevent(struct device *dev, struct kobj_uevent_env *env)");
    expect(out).toContain("static int other(const struct device *dev)");
  });

  it("makes bus_type objects writable, not pointers to them", () => {
    const out = run(busTypeConst, src);
    expect(out).toContain("extern struct bus_type mhi_bus_type;");
    expect(out).toContain("\nstruct bus_type mhi_bus_type = {");
    expect(out).toContain("int g(const struct bus_type *bus);");
  });
});
