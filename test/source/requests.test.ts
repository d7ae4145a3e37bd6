import { describe, expect, it } from "vitest";
import { parseRecipe } from "../../src/recipe/load.js";
import { selectComponents } from "../../src/recipe/select.js";
import { fetchRequests } from "../../src/source/requests.js";
import { RULE_IDS } from "../../src/transform/rules/index.js";

const recipe = `name: demo
sources:
  up:
    url: https://example.invalid/linux.git
    commit: adc218676eef25575469234709c2d87185ca223a
components:
  mhi:
    source: up
    paths: [drivers/bus/mhi/host/main.c, drivers/bus/mhi, drivers/bus/mhi/host, include/linux/mhi.h]
    modules:
      - { name: mhi, config: CONFIG_MHI_BUS, dir: drivers/bus/mhi/host }
  mhi_net:
    source: up
    paths: [drivers/net/mhi_net.c, drivers/netdevsim]
    modules:
      - { name: mhi_net, config: CONFIG_MHI_NET, dir: drivers/net }
`;

describe("what a fetch asks for", () => {
  it("keeps each path once, drops those under another, and adds module directories' Makefile and Kconfig where no path covers them", async () => {
    const r = await parseRecipe(recipe, "r.yaml", RULE_IDS);
    const [req] = fetchRequests(r, selectComponents(r), [], "/");
    expect(req!.paths).toEqual([
      "drivers/bus/mhi",
      "drivers/net/Kconfig",
      "drivers/net/Makefile",
      "drivers/net/mhi_net.c",
      "drivers/netdevsim",
      "include/linux/mhi.h",
    ]);
    // A path under another is still placed where the recipe names it.
    expect(req!.whereIs!("drivers/net/Makefile")).toBe("r.yaml:16:55");
    expect(req!.whereIs!("drivers/bus/mhi/host/main.c")).toBe("r.yaml:9:13");
  });
});
