import { busCallbackConstRule } from "./bus-callback-const.js";

export const busUeventConstDevice = busCallbackConstRule({
  id: "bus-uevent-const-device",
  feature: "bus_type.uevent_const_device",
  summary: "the bus uevent() callback takes a non-const struct device *",
  member: "uevent",
  paramType: "device",
});
