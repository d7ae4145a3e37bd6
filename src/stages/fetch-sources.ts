import { during } from "../interrupt/registry.js";
import { MODEL_HEADERS } from "../model/derive.js";
import { fetchSource } from "../source/sparse-fetch.js";
import { need, type Stage } from "./state.js";

export const fetchSourcesStage: Stage = {
  id: "fetch",
  title: "Fetch sources",
  async run(state, opts, progress) {
    state.sources = new Map();
    for (const req of need(state, "requests")) {
      progress.output(`${req.name} ${req.commit.slice(0, 12)} (${req.paths.length} paths)`);
      // The ids of the headers the reference model reads let validate find the model of these pins.
      const tree = await during(`source ${req.name} at ${req.commit.slice(0, 12)} from ${req.url}`, () =>
        fetchSource({ ...req, recordIds: MODEL_HEADERS }, opts.cacheDir, opts.offline),
      );
      if (tree.refetched) state.report.warnings.push(`source '${tree.name}': ${tree.refetched}`);
      state.sources.set(req.name, tree);
      state.report.sources.push({
        name: tree.name,
        url: tree.url,
        commit: tree.commit,
        dir: tree.dir,
        paths: [...tree.paths],
        cached: tree.cached,
        committed: tree.committed,
        subject: tree.subject,
        files: tree.files,
        recorded: tree.recorded,
      });
    }
  },
};
