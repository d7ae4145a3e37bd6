import { during } from "../interrupt/registry.js";
import { fetchSource } from "../source/sparse-fetch.js";
import { need, type Stage } from "./state.js";

export const fetchSourcesStage: Stage = {
  id: "fetch",
  title: "Fetch sources",
  async run(state, opts, progress) {
    state.sources = new Map();
    for (const req of need(state, "requests")) {
      progress.output(`${req.name} ${req.commit.slice(0, 12)} (${req.paths.length} paths)`);
      const tree = await during(`source ${req.name} at ${req.commit.slice(0, 12)} from ${req.url}`, () =>
        fetchSource(req, opts.cacheDir, opts.offline),
      );
      state.sources.set(req.name, tree);
      state.report.sources.push({
        name: tree.name,
        url: tree.url,
        commit: tree.commit,
        dir: tree.dir,
        cached: tree.cached,
        committed: tree.committed,
      });
    }
  },
};
