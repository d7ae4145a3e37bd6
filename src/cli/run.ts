import { pipelineCommand } from "./pipeline-command.js";

export const runCommand = (exit: (code: number) => void) =>
  pipelineCommand("run", "the whole pipeline for a recipe and a target", exit);
