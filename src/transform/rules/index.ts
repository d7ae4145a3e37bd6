import type { Rule } from "../rule.js";
import { busMatchConstDriver } from "./bus-match-const-driver.js";
import { busTypeConst } from "./bus-type-const.js";
import { busUeventConstDevice } from "./bus-uevent-const-device.js";
import { classConst } from "./class-const.js";
import { devmQcomSmemStateGet } from "./devm-qcom-smem-state-get.js";
import { containerOfConst } from "./container-of-const.js";
import { fsleep } from "./fsleep.js";
import { getRandomU32Inclusive } from "./get-random-u32-inclusive.js";
import { mhiDeviceId } from "./mhi-device-id.js";
import { modpostMhiAlias } from "./modpost-mhi-alias.js";
import { netifRx } from "./netif-rx.js";
import { iflaParentDevName } from "./ifla-parent-dev-name.js";
import { rtnlLinkAlloc } from "./rtnl-link-alloc.js";
import { platformRemoveNew } from "./platform-remove-new.js";
import { rpmsgDeviceIdDriverData } from "./rpmsg-device-id-driver-data.js";
import { rtnlConfigureLinkPortid } from "./rtnl-configure-link-portid.js";
import { traceAssignStrOneArg } from "./trace-assign-str-one-arg.js";
import { u64Stats } from "./u64-stats.js";
import { vcalloc } from "./vcalloc.js";

export const RULES: readonly Rule[] = [
  u64Stats,
  fsleep,
  containerOfConst,
  getRandomU32Inclusive,
  vcalloc,
  mhiDeviceId,
  netifRx,
  modpostMhiAlias,
  traceAssignStrOneArg,
  busTypeConst,
  busMatchConstDriver,
  busUeventConstDevice,
  classConst,
  rtnlConfigureLinkPortid,
  platformRemoveNew,
  devmQcomSmemStateGet,
  rpmsgDeviceIdDriverData,
  iflaParentDevName,
  rtnlLinkAlloc,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));
