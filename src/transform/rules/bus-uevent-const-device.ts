import { busCallbackConstRule } from "./bus-callback-const.js";

export const busUeventConstDevice = busCallbackConstRule({
  id: "bus-uevent-const-device",
  feature: "bus_type.uevent_const_device",
  upstream: '2a81ada32f0e ("driver core: make struct bus_type.uevent() take a const *")',
  summary: "the bus uevent() callback takes a non-const struct device *",
  member: "uevent",
  paramType: "device",
});
