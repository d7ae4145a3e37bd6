import { errorMessage, KbackportError } from "../errors.js";

/**
 * How a command that is not a pipeline run reports a user error: the message and hint (JSON with
 * --json), exit 1. Anything else is a bug and propagates.
 */
export function reportFailure(err: unknown, json: boolean | undefined, exit: (code: number) => void): void {
  if (!(err instanceof KbackportError)) throw err;
  process.stdout.write(
    json
      ? `${JSON.stringify({ ok: false, errors: [{ message: err.message, where: err.where, hint: err.hint }] }, null, 2)}\n`
      : `error: ${errorMessage(err)}\n${err.hint ? `hint: ${err.hint}\n` : ""}`,
  );
  exit(1);
}
