import { pipelineCommand } from "./pipeline-command.js";

export const prepareCommand = (exit: (code: number) => void) =>
  pipelineCommand(
    "prepare",
    "fetch, probe the target and write the transformed tree and kernel patches",
    exit,
  );
