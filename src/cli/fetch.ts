import { pipelineCommand } from "./pipeline-command.js";

export const fetchCommand = (exit: (code: number) => void) =>
  pipelineCommand(
    "fetch",
    "fetch the recipe's pinned paths into the cache (partial clone, sparse checkout)",
    exit,
  );
