import { KbackportError } from "../errors.js";
import { CScope, structLayout } from "./c-facts.js";
import type { Constants, ProtocolModel, StructLayout, TreeReader } from "./types.js";

const BAM_DMUX = "drivers/net/wwan/qcom_bam_dmux.c";
/** SZ_* constants. */
export const SIZES_H = "include/linux/sizes.h";
const MHI_H = "include/linux/mhi.h";
/** Where the ring element is defined: common.h (shared with the endpoint stack), else the host's internal.h. */
const RING_ELEMENT = ["drivers/bus/mhi/common.h", "drivers/bus/mhi/host/internal.h"];

/** The wire protocol facts: BAM-DMUX framing and the MHI state machine and ring element. */
export function deriveProtocol(read: TreeReader): ProtocolModel {
  return { bamDmux: deriveBamDmux(read), mhi: deriveMhiProtocol(read) };
}

/** Files each part of the protocol model is read from (a tree without them has nothing to check). */
export const PROTOCOL_FILES = { bamDmux: BAM_DMUX, mhi: MHI_H } as const;

export function deriveBamDmux(read: TreeReader): ProtocolModel["bamDmux"] {
  // SZ_* buffer sizes come from sizes.h, which the driver gets through other headers.
  const bam = new CScope(read, [BAM_DMUX, SIZES_H]);
  const constant = (name: string): Constants => ({
    values: { [name]: bam.value(name) },
    source: bam.source(name)!,
  });
  return {
    header: layout(bam, [BAM_DMUX], "bam_dmux_hdr"),
    magic: constant("BAM_DMUX_HDR_MAGIC"),
    // The command enum has no tag upstream: it is the one declaring BAM_DMUX_CMD_DATA.
    commands: {
      values: Object.fromEntries(bam.findEnum(BAM_DMUX, { member: "BAM_DMUX_CMD_DATA" })),
      source: BAM_DMUX,
    },
    channels: constant("BAM_DMUX_NUM_CH"),
    buffer: constant("BAM_DMUX_BUFFER_SIZE"),
  };
}

export function deriveMhiProtocol(read: TreeReader): ProtocolModel["mhi"] {
  const mhi = new CScope(read, [MHI_H]);
  return {
    states: { values: Object.fromEntries(mhi.findEnum(MHI_H, { tag: "mhi_state" })), source: MHI_H },
    executionEnvironments: {
      values: Object.fromEntries(mhi.findEnum(MHI_H, { tag: "mhi_ee_type" })),
      source: MHI_H,
    },
    ringElement: layout(new CScope(read, RING_ELEMENT), RING_ELEMENT, "mhi_ring_element"),
  };
}

/** The struct from the first of `paths` that defines it. */
function layout(scope: CScope, paths: readonly string[], name: string): StructLayout {
  const absent = paths.filter((p) => !scope.has(p));
  for (const path of paths.filter((p) => !absent.includes(p))) {
    const found = structLayout(scope, path, name);
    if (found) return found;
  }
  const missing = absent.length ? ` (${absent.join(", ")} absent)` : "";
  throw new KbackportError(`struct ${name} not found${missing}`, { where: paths.join(", ") });
}
