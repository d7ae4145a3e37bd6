import { busCallbackConstRule } from "./bus-callback-const.js";

export const busMatchConstDriver = busCallbackConstRule({
  id: "bus-match-const-driver",
  feature: "bus_type.match_const_driver",
  upstream: 'd69d80484598 ("driver core: have match() callback in struct bus_type take a const *")',
  summary: "the bus match() callback takes a non-const struct device_driver *",
  member: "match",
  paramType: "device_driver",
});
