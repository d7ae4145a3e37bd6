import { describe, expect, it } from "vitest";
import { applyEdits } from "../../../src/c/edit.js";
import { readCode } from "../../../src/c/file.js";
import { kernelApi, namesOf } from "../../../src/kernel/api.js";
import { busMatchConstDriver } from "../../../src/transform/rules/bus-match-const-driver.js";
import { busTypeConst } from "../../../src/transform/rules/bus-type-const.js";
import { classConst } from "../../../src/transform/rules/class-const.js";
import { iflaParentDevName } from "../../../src/transform/rules/ifla-parent-dev-name.js";
import { rtnlConfigureLinkPortid } from "../../../src/transform/rules/rtnl-configure-link-portid.js";
import { rtnlLinkAlloc } from "../../../src/transform/rules/rtnl-link-alloc.js";
import { platformRemoveNew } from "../../../src/transform/rules/platform-remove-new.js";
import { rpmsgDeviceIdDriverData } from "../../../src/transform/rules/rpmsg-device-id-driver-data.js";
import { modpostMhiAlias } from "../../../src/transform/rules/modpost-mhi-alias.js";
import { busUeventConstDevice } from "../../../src/transform/rules/bus-uevent-const-device.js";
import { traceAssignStrOneArg } from "../../../src/transform/rules/trace-assign-str-one-arg.js";
import { u64Stats } from "../../../src/transform/rules/u64-stats.js";
import type { Rule } from "../../../src/transform/rule.js";

/** C keywords: a rewrite may write them without its API listing them. */
const KEYWORDS = new Set(
  "auto break case char const continue default do double else enum extern float for goto if inline int long register return short signed sizeof static struct switch typedef union unsigned void volatile while".split(
    " ",
  ),
);

const identifiers = (src: string) =>
  new Set(
    readCode("x.c", src)
      .code.filter((t) => t.kind === "ident" && !KEYWORDS.has(t.text))
      .map((t) => t.text),
  );

/**
 * Names a rewrite takes out of a file or brings into it that its API entry does not list. A name built
 * on one of the driver's own (`<fn>_backport_remove`) is the driver's.
 */
function unlistedNames(rule: Rule, before: string, after: string): string[] {
  const listed = namesOf(kernelApi(rule.feature));
  const [was, is] = [identifiers(before), identifiers(after)];
  const own = [...was].filter((n) => !listed.has(n));
  const removed = [...was].filter((n) => !is.has(n));
  const added = [...is].filter((n) => !was.has(n) && !own.some((o) => n.startsWith(`${o}_`)));
  return [...removed, ...added].filter((n) => !listed.has(n));
}

/** Applies a rule, checking that every name it rewrites or writes is one its API entry lists. */
function run(rule: Rule, src: string): string {
  const out = applyEdits(src, rule.rewrite!(readCode("x.c", src)));
  expect(unlistedNames(rule, src, out), `${rule.id}: names missing from API entry ${rule.feature}`).toEqual(
    [],
  );
  return out;
}

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

  it("rewrites a helper inside another's argument, and the type inside a cast (drivers/net/virtio_net.c:2813)", () => {
    const src = `		item = (u64_stats_t *)((u8 *)&rq->stats + offset);
		u64_stats_add(item, u64_stats_read(src));
	u64_stats_add(&rq->stats.packets, u64_stats_read(&stats.packets));
	u64_stats_sub(&s->x, u64_stats_read(&s->y) - u64_stats_read(&s->z));`;
    expect(run(u64Stats, src)).toBe(`		item = (u64 *)((u8 *)&rq->stats + offset);
		(*(item)) += ((*(src)));
	(rq->stats.packets) += ((stats.packets));
	(s->x) -= ((s->y) - (s->z));`);
  });

  it("rewrites the type of a cast inside a helper's counter (drivers/net/phy/mdio_bus.c:218)", () => {
    const src = `	val = u64_stats_read((const u64_stats_t *)p);
	data[i] = u64_stats_read((u64_stats_t *)(p + s->stat_offset));
	u64_stats_inc((u64_stats_t *)&s->n);`;
    expect(run(u64Stats, src)).toBe(`	val = (*((const u64 *)p));
	data[i] = (*((u64 *)(p + s->stat_offset)));
	(*((u64 *)&s->n))++;`);
  });

  it("is caught rewriting a name its API entry does not list", () => {
    const src = "start = u64_stats_fetch_begin(&s->syncp);";
    const drifted: Rule = {
      ...u64Stats,
      rewrite: ({ code }) => [{ start: code[2]!.start, end: code[2]!.end, text: "u64_stats_fetch_retry" }],
    };
    expect(unlistedNames(drifted, src, applyEdits(src, drifted.rewrite!(readCode("x.c", src))))).toEqual([
      "u64_stats_fetch_begin",
      "u64_stats_fetch_retry",
    ]);
  });

  it("changes nothing in code that has no u64_stats_t", () => {
    expect(u64Stats.rewrite!(readCode("x.c", "u64 x; u64_stats_update_begin(&s);"))).toEqual([]);
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
    expect(traceAssignStrOneArg.rewrite!(readCode("t.h", "__string(n, s) __assign_str(n, s);"))).toEqual([]);
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

describe("rtnetlink fallbacks for kernels without the core patches", () => {
  const src = `static int v(struct nlattr *tb[], struct nlattr *data[], struct netlink_ext_ack *extack)
{
	if (!tb[IFLA_PARENT_DEV_NAME])
		return -EINVAL;
	return 0;
}
static struct net_device *a(struct nlattr *tb[], const char *ifname, unsigned char t, unsigned int tx, unsigned int rx)
{
	const char *devname = nla_data(tb[IFLA_PARENT_DEV_NAME]);
	return NULL;
}
static struct rtnl_link_ops ops __read_mostly = {
	.kind = "wwan",
	.alloc = a,
	.validate = v,
};
static void d(void)
{
	struct nlattr *tb[IFLA_MAX + 1];
	nlmsg_parse_deprecated(nlh, 0, tb, IFLA_MAX, NULL, NULL);
	dev = rtnl_create_link(&init_net, "wwan%d", NET_NAME_ENUM, &ops, tb, NULL);
	other = rtnl_create_link(net, name, t, &other_ops, tb, NULL);
	rtnl_configure_link(dev, NULL, 0, NULL);
}`;

  it("ifla-parent-dev-name: rtnetlink's callbacks see the attribute as absent, the driver's own tables get room", () => {
    const out = run(iflaParentDevName, src);
    expect(out).toContain("if (!((struct nlattr *)NULL))");
    expect(out).toContain("nla_data(tb[IFLA_PARENT_DEV_NAME])");
    expect(out).toContain("struct nlattr *tb[KBACKPORT_IFLA_MAX + 1];");
    expect(out).toContain("nlmsg_parse_deprecated(nlh, 0, tb, KBACKPORT_IFLA_MAX, NULL, NULL);");
    expect(iflaParentDevName.rewrite!(readCode("x.c", "struct nlattr *tb[IFLA_MAX + 1];"))).toEqual([]);
  });

  it("rtnl-link-alloc: the alloc member goes and the link type's own rtnl_create_link calls allocate through it", () => {
    const out = run(rtnlLinkAlloc, src);
    expect(out).toContain('\t.kind = "wwan",\n\t.validate = v,\n');
    expect(out).toContain('rtnl_create_link_alloc(&init_net, "wwan%d", NET_NAME_ENUM, &ops, tb, NULL, a);');
    expect(out).toContain("other = rtnl_create_link(net, name, t, &other_ops, tb, NULL);");
  });

  it("rtnl-configure-link-portid: drops the portid and nlh arguments", () => {
    expect(run(rtnlConfigureLinkPortid, src)).toContain("rtnl_configure_link(dev, NULL);");
  });

  it("class-const: class objects become writable", () => {
    expect(
      run(classConst, "static const struct class wwan_class = {\n};\nint f(const struct class *c);"),
    ).toBe("static struct class wwan_class = {\n};\nint f(const struct class *c);");
  });
});

describe("BAM-DMUX and RPMSG rules", () => {
  it("platform-remove-new: a wrapper returning 0 stands in for the void remove callback", () => {
    const src = `static void bam_dmux_remove(struct platform_device *pdev)\n{\n}\n\nstatic struct platform_driver bam_dmux_driver = {\n\t.probe = bam_dmux_probe,\n\t.remove_new = bam_dmux_remove,\n};\n`;
    expect(run(platformRemoveNew, src)).toBe(
      `static void bam_dmux_remove(struct platform_device *pdev)\n{\n}\n\nstatic int bam_dmux_remove_backport_remove(struct platform_device *pdev)\n{\n\tbam_dmux_remove(pdev);\n\treturn 0;\n}\n\nstatic struct platform_driver bam_dmux_driver = {\n\t.probe = bam_dmux_probe,\n\t.remove = bam_dmux_remove_backport_remove,\n};\n`,
    );
  });

  it("rpmsg-device-id-driver-data: driver_data moves into a lookup by name, declared before its first use", () => {
    const src = `#include <linux/rpmsg.h>

static int probe(struct rpmsg_device *rpdev)
{
	return create(parent, rpdev->id.driver_data);
}

static const struct rpmsg_device_id ids[] = {
	{ .name = "DATA5_CNTL", .driver_data = WWAN_PORT_QMI },
	{ .name = "DATA4", .driver_data = WWAN_PORT_AT },
	{},
};
`;
    const out = run(rpmsgDeviceIdDriverData, src);
    expect(out).toContain("static kernel_ulong_t ids_driver_data(const char *name);\n\nstatic int probe(");
    expect(out).toContain("return create(parent, ids_driver_data(rpdev->id.name));");
    expect(out).toContain('\t{ .name = "DATA5_CNTL" },\n\t{ .name = "DATA4" },\n\t{},\n};');
    expect(out).toContain(
      '\tif (!strcmp(name, "DATA5_CNTL"))\n\t\treturn WWAN_PORT_QMI;\n\tif (!strcmp(name, "DATA4"))\n\t\treturn WWAN_PORT_AT;\n\treturn 0;\n}',
    );
  });
});

describe("modpost-mhi-alias", () => {
  it("writes the MHI device table's channels out as MODULE_ALIAS lines", () => {
    const src = `static const struct mhi_device_id mhi_net_id_table[] = {
	{ .chan = "IP_SW0", .driver_data = (kernel_ulong_t)&mhi_swip0 },
	{ .chan = "IP_HW0", .driver_data = (kernel_ulong_t)&mhi_hwip0 },
	{}
};
MODULE_DEVICE_TABLE(mhi, mhi_net_id_table);
MODULE_DEVICE_TABLE(pci, other_table);
`;
    const out = run(modpostMhiAlias, src);
    expect(run(modpostMhiAlias, out)).toBe(out);
    expect(run(modpostMhiAlias, src)).toContain(
      'MODULE_DEVICE_TABLE(mhi, mhi_net_id_table);\nMODULE_ALIAS("mhi:IP_SW0");\nMODULE_ALIAS("mhi:IP_HW0");\nMODULE_DEVICE_TABLE(pci, other_table);',
    );
  });
});
