/** A mainline commit: its id and subject, as the kernel cites commits. */
export interface UpstreamCommit {
  /** 12 hex digits, all 40 where a kernel patch mirrors the commit; absent where no record gives it. */
  id?: string;
  subject: string;
}

/** A commit a kernel patch mirrors: what `git format-patch` heads it with, and its trailers. */
export interface MirroredCommit extends UpstreamCommit {
  /** Author and author date as format-patch prints them: "Sat, 12 Jun 2021 10:20:54 +0200". */
  author: string;
  date: string;
  /** The commit's trailer lines in its order: the Signed-off-by chain with the tags between. */
  trailers: readonly string[];
}

/**
 * The kernel API knowledge base: one entry per API the backported drivers use that older kernels lack.
 * `introduced` is the mainline release; stable kernels may carry it earlier, which is why targets are probed.
 */
export interface KernelApi {
  id: string;
  summary: string;
  introduced: string;
  /** The mainline commit that brought the API. */
  upstream: UpstreamCommit | MirroredCommit;
  /** Files to probe, relative to the kernel tree: the first that exists decides. */
  headers: readonly string[];
  /** Matched against the comment-free text of each header. */
  pattern: RegExp;
  /** Identifiers a compiler or modpost names when a target lacks the API. */
  symbols: readonly string[];
  /**
   * Names a driver can use only where the API exists, unless a compat header provides them; signature
   * changes have none (their old and new forms share names).
   */
  uses?: readonly string[];
  /**
   * Identifiers (or sequences of them: "const struct class") one of which a file must contain for the
   * API's rule to change anything in it (default: `uses`): a plain text search decides which files are
   * tokenized for the rule.
   */
  marks?: readonly string[];
  /** Every other identifier the API's rule rewrites or writes (members, types, the older kernel's calls). */
  names?: readonly string[];
}

const BUS_HEADERS = ["include/linux/device/bus.h", "include/linux/device.h"];

/** The type and helpers of the u64_stats_t API: what it brings and what a driver using it names. */
const U64_STATS_NAMES = [
  "u64_stats_t",
  "u64_stats_read",
  "u64_stats_set",
  "u64_stats_add",
  "u64_stats_sub",
  "u64_stats_inc",
  "u64_stats_dec",
] as const;

const ENTRIES = [
  {
    id: "u64_stats_t",
    summary: "u64_stats_t counters with u64_stats_read/set/add/sub/inc/dec",
    introduced: "5.5",
    upstream: { id: "316580b69d0a", subject: "u64_stats: provide u64_stats_t type" },
    headers: ["include/linux/u64_stats_sync.h"],
    pattern: /\}\s*u64_stats_t\s*;/,
    symbols: U64_STATS_NAMES,
    uses: U64_STATS_NAMES,
    names: ["u64"],
  },
  {
    id: "fsleep",
    summary: "fsleep(): sleep for a number of microseconds with the best suited primitive",
    introduced: "5.8",
    upstream: { id: "c6af13d33475", subject: "timer: add fsleep for flexible sleeping" },
    headers: ["include/linux/delay.h"],
    pattern: /\bvoid\s+fsleep\s*\(/,
    symbols: ["fsleep"],
    uses: ["fsleep"],
  },
  {
    id: "IFLA_PARENT_DEV_NAME",
    summary: "IFLA_PARENT_DEV_NAME and IFLA_PARENT_DEV_BUS_NAME netlink link attributes",
    introduced: "5.14",
    // Id: net-next's shortlog of 12 Jun 2021 and patchwork's note that the series was applied. Author, date
    // and trailers: the applied "[PATCH net-next v3 2/4]" mail (git am keeps them), then the applier's
    // sign-off: David S. Miller merged the series ("Merge branch 'wwan-link-creation'", net-next for 5.14).
    upstream: {
      id: "00e77ed8e64d5f271c1f015c7153545980d48a76",
      subject: "rtnetlink: add IFLA_PARENT_[DEV|DEV_BUS]_NAME",
      author: "Johannes Berg <johannes.berg@intel.com>",
      date: "Sat, 12 Jun 2021 10:20:55 +0200",
      trailers: [
        "Co-developed-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>",
        "Signed-off-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>",
        "Co-developed-by: Loic Poulain <loic.poulain@linaro.org>",
        "Signed-off-by: Loic Poulain <loic.poulain@linaro.org>",
        "Suggested-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>",
        "Signed-off-by: Johannes Berg <johannes.berg@intel.com>",
        "Signed-off-by: David S. Miller <davem@davemloft.net>",
      ],
    },
    headers: ["include/uapi/linux/if_link.h"],
    pattern: /\bIFLA_PARENT_DEV_NAME\b/,
    symbols: ["IFLA_PARENT_DEV_NAME", "IFLA_PARENT_DEV_BUS_NAME"],
    uses: ["IFLA_PARENT_DEV_NAME", "IFLA_PARENT_DEV_BUS_NAME"],
    names: ["IFLA_MAX", "KBACKPORT_IFLA_MAX", "rtnl_link_ops", "nlattr", "NULL"],
  },
  {
    id: "rtnl_link_ops.alloc",
    summary: "rtnl_link_ops.alloc(): a link type allocates its own net_device",
    introduced: "5.14",
    // As IFLA_PARENT_DEV_NAME's: patch 1/4 of the same series, applied the same way.
    upstream: {
      id: "8c713dc93ca9a423d6af8849c9254742a1070c37",
      subject: "rtnetlink: add alloc() method to rtnl_link_ops",
      author: "Johannes Berg <johannes.berg@intel.com>",
      date: "Sat, 12 Jun 2021 10:20:54 +0200",
      trailers: [
        "Signed-off-by: Johannes Berg <johannes.berg@intel.com>",
        "Signed-off-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>",
        "Signed-off-by: David S. Miller <davem@davemloft.net>",
      ],
    },
    headers: ["include/net/rtnetlink.h"],
    pattern: /struct\s+rtnl_link_ops\s*\{[^}]*\(\s*\*\s*alloc\s*\)/,
    symbols: ["alloc"],
    marks: ["rtnl_link_ops"],
    names: ["alloc", "rtnl_create_link", "rtnl_create_link_alloc"],
  },
  {
    id: "container_of_const",
    summary: "container_of_const(): container_of that keeps the pointer's const-ness",
    introduced: "6.2",
    upstream: {
      id: "64f6a5d1922b",
      subject: "container_of: add container_of_const() that preserves const-ness of the pointer",
    },
    headers: ["include/linux/container_of.h", "include/linux/kernel.h"],
    pattern: /#\s*define\s+container_of_const\b/,
    symbols: ["container_of_const"],
    uses: ["container_of_const"],
  },
  {
    id: "trace_assign_str_one_arg",
    summary: "__assign_str(dst) with one argument, the source taken from __string()",
    introduced: "6.10",
    upstream: { id: "2c92ca849fcc", subject: "tracing/treewide: Remove second parameter of __assign_str()" },
    headers: ["include/trace/stages/stage6_event_callback.h", "include/trace/trace_events.h"],
    pattern: /#\s*define\s+__assign_str\s*\(\s*dst\s*\)/,
    symbols: ["__assign_str"],
    marks: ["__assign_str"],
    names: ["__string"],
  },
  {
    id: "bus_type.match_const_driver",
    summary: "bus_type.match() takes a const struct device_driver *",
    introduced: "6.11",
    upstream: {
      id: "d69d80484598",
      subject: "driver core: have match() callback in struct bus_type take a const *",
    },
    headers: BUS_HEADERS,
    pattern: /\(\s*\*\s*match\s*\)\s*\(\s*struct\s+device\s*\*\s*\w*\s*,\s*const\s+struct\s+device_driver\b/,
    symbols: ["match"],
    marks: ["bus_type"],
    names: ["match", "device_driver"],
  },
  {
    id: "bus_type.uevent_const_device",
    summary: "bus_type.uevent() takes a const struct device *",
    introduced: "6.3",
    upstream: { id: "2a81ada32f0e", subject: "driver core: make struct bus_type.uevent() take a const *" },
    headers: BUS_HEADERS,
    pattern: /\(\s*\*\s*uevent\s*\)\s*\(\s*const\s+struct\s+device\s*\*/,
    symbols: ["uevent"],
    marks: ["bus_type"],
    names: ["uevent", "device"],
  },
  {
    id: "bus_register_const",
    summary: "bus_register()/bus_unregister() take a const struct bus_type *, so bus objects can be const",
    introduced: "6.4",
    upstream: { id: "00c4a3c47da7", subject: "driver core: bus: constantify bus_register()" },
    headers: BUS_HEADERS,
    pattern: /\bbus_register\s*\(\s*const\s+struct\s+bus_type\b/,
    symbols: ["bus_register", "bus_unregister"],
    marks: ["const struct bus_type"],
  },
  {
    id: "get_random_u32_inclusive",
    summary: "get_random_u32_inclusive(floor, ceil): a random number in a closed range",
    introduced: "6.2",
    upstream: {
      id: "7f576b2593a9",
      subject: "random: add helpers for random numbers with given floor or range",
    },
    headers: ["include/linux/random.h"],
    pattern: /\bget_random_u32_inclusive\s*\(/,
    symbols: ["get_random_u32_inclusive"],
    uses: ["get_random_u32_inclusive"],
  },
  {
    id: "vcalloc",
    summary: "vcalloc(n, size): zeroed, overflow-checked vmalloc of an array",
    introduced: "5.18",
    upstream: { id: "a8749a35c399", subject: "mm: vmalloc: introduce array allocation functions" },
    headers: ["include/linux/vmalloc.h"],
    pattern: /\bvcalloc\b\s*\(/,
    symbols: ["vcalloc"],
    uses: ["vcalloc"],
  },
  {
    id: "mhi_device_id",
    summary: "struct mhi_device_id and MHI_DEVICE_MODALIAS_FMT in mod_devicetable.h",
    introduced: "5.7",
    upstream: { id: "0cbf260820fa", subject: "bus: mhi: core: Add support for registering MHI controllers" },
    headers: ["include/linux/mod_devicetable.h"],
    pattern: /struct\s+mhi_device_id\s*\{/,
    symbols: ["mhi_device_id", "MHI_DEVICE_MODALIAS_FMT"],
    uses: ["mhi_device_id", "MHI_DEVICE_MODALIAS_FMT"],
  },
  {
    id: "__netif_rx",
    summary: "__netif_rx(): netif_rx for callers that already run with bottom halves disabled",
    introduced: "5.18",
    upstream: {
      id: "baebdf48c360",
      subject: "net: dev: Makes sure netif_rx() can be invoked in any context.",
    },
    headers: ["include/linux/netdevice.h"],
    pattern: /\b__netif_rx\s*\(/,
    symbols: ["__netif_rx"],
    uses: ["__netif_rx"],
  },
  {
    id: "class_register_const",
    summary: "class_register()/class_unregister() take a const struct class *, so class objects can be const",
    introduced: "6.4",
    upstream: { id: "43a7206b0963", subject: "driver core: class: make class_register() take a const *" },
    headers: ["include/linux/device/class.h", "include/linux/device.h"],
    pattern: /\bclass_register\s*\(\s*const\s+struct\s+class\b/,
    symbols: ["class_register", "class_unregister"],
    marks: ["const struct class"],
  },
  {
    id: "rtnl_configure_link.portid",
    summary: "rtnl_configure_link(dev, ifm, portid, nlh): the notification names the request's origin",
    introduced: "6.2",
    upstream: {
      id: "1d997f101307",
      subject: "rtnetlink: pass netlink message header and portid to rtnl_configure_link()",
    },
    headers: ["include/net/rtnetlink.h"],
    pattern: /\brtnl_configure_link\s*\([^;)]*\bportid\b/,
    symbols: ["rtnl_configure_link"],
    marks: ["rtnl_configure_link"],
  },
  {
    id: "platform_driver.remove_new",
    summary: "platform_driver.remove_new: a remove callback that returns nothing",
    introduced: "6.3",
    upstream: { id: "5c5a7680e67b", subject: "platform: Provide a remove callback that returns no value" },
    headers: ["include/linux/platform_device.h"],
    pattern: /\(\s*\*\s*remove_new\s*\)/,
    symbols: ["remove_new"],
    uses: ["remove_new"],
    names: ["platform_driver", "remove", "platform_device"],
  },
  {
    id: "devm_qcom_smem_state_get",
    summary: "devm_qcom_smem_state_get(): a device-managed SMEM state handle",
    introduced: "5.14",
    upstream: { id: "61d1961adf4b", subject: "soc: qcom: smem_state: Add devm_qcom_smem_state_get()" },
    headers: ["include/linux/soc/qcom/smem_state.h"],
    pattern: /\bdevm_qcom_smem_state_get\s*\(/,
    symbols: ["devm_qcom_smem_state_get"],
    uses: ["devm_qcom_smem_state_get"],
  },
  {
    id: "rpmsg_device_id.driver_data",
    summary: "struct rpmsg_device_id carries driver_data",
    introduced: "5.14",
    upstream: { id: "60302ce4ea07", subject: "rpmsg: core: Add driver_data for rpmsg_device_id" },
    headers: ["include/linux/mod_devicetable.h"],
    pattern: /struct\s+rpmsg_device_id\s*\{[^}]*\bdriver_data\b/,
    symbols: ["driver_data"],
    marks: ["rpmsg_device_id"],
    names: ["driver_data", "id", "name", "kernel_ulong_t", "strcmp"],
  },
  {
    id: "modpost_mhi",
    summary: "modpost turns MODULE_DEVICE_TABLE(mhi, ...) into mhi:<channel> aliases",
    introduced: "5.7",
    // Modpost's mhi table (do_mhi_entry, the devtable entry) came with this commit, patch 12/16 of the MHI
    // bus series, applied for 5.7: Greg Kroah-Hartman's char-misc pull for 5.7-rc1 lists it (mhi_device_id
    // itself came earlier, with the mhi_device_id entry's commit). Author, date and trailers: the applied
    // "[PATCH v3 12/16]" mail, then the applier's sign-off. No published copy of the commit gives its id.
    upstream: {
      subject: "bus: mhi: core: Add uevent support for module autoloading",
      author: "Manivannan Sadhasivam <manivannan.sadhasivam@linaro.org>",
      date: "Thu, 20 Feb 2020 15:28:50 +0530",
      trailers: [
        "Signed-off-by: Manivannan Sadhasivam <manivannan.sadhasivam@linaro.org>",
        "Reviewed-by: Jeffrey Hugo <jhugo@codeaurora.org>",
        "Tested-by: Jeffrey Hugo <jhugo@codeaurora.org>",
        "Signed-off-by: Greg Kroah-Hartman <gregkh@linuxfoundation.org>",
      ],
    },
    // Trees have modpost's source; headers packages only mod_devicetable.h, changed in the same series.
    headers: ["scripts/mod/file2alias.c", "include/linux/mod_devicetable.h"],
    pattern: /\bdo_mhi_entry\b|struct\s+mhi_device_id\s*\{/,
    symbols: [],
    marks: ["mhi_device_id"],
    names: ["MODULE_DEVICE_TABLE", "MODULE_ALIAS", "chan"],
  },
] as const satisfies readonly KernelApi[];

export const KERNEL_APIS: readonly KernelApi[] = ENTRIES;

/** The id of an entry of the knowledge base: what a rule names as its feature. */
export type ApiId = (typeof ENTRIES)[number]["id"];

/** The entry of one API, with its lists typed as written (a rule's table of names must match them). */
export function kernelApi<I extends ApiId>(id: I): Extract<(typeof ENTRIES)[number], { id: I }> {
  return ENTRIES.find((api) => api.id === id) as Extract<(typeof ENTRIES)[number], { id: I }>;
}

/** The commit as the kernel cites it, `<12-hex id> ("subject")`, or by subject where its id is unknown. */
export function citation(commit: UpstreamCommit): string {
  return commit.id ? `${commit.id.slice(0, 12)} ("${commit.subject}")` : `"${commit.subject}"`;
}

/** Identifiers whose presence in a file lets the API's rule find something there. */
export function marksOf(api: KernelApi): readonly string[] {
  return api.marks ?? api.uses ?? [];
}

/** Every identifier the API's rule may rewrite, match or write. */
export function namesOf(api: KernelApi): ReadonlySet<string> {
  return new Set([...(api.uses ?? []), ...marksOf(api).flatMap((m) => m.split(" ")), ...(api.names ?? [])]);
}
