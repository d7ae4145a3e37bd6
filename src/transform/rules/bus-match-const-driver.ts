import { busCallbackConstRule } from "./bus-callback-const.js";

export const busMatchConstDriver = busCallbackConstRule({
  id: "bus-match-const-driver",
  feature: "bus_type.match_const_driver",
  summary: "the bus match() callback takes a non-const struct device_driver *",
  member: "match",
  paramType: "device_driver",
});
