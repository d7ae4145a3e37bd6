/** An error the user can act on: what went wrong, where (file:line:col when known) and how to fix it. */
export class KbackportError extends Error {
  readonly where?: string;
  readonly hint?: string;

  constructor(message: string, options: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "KbackportError";
    this.where = options.where;
    this.hint = options.hint;
  }

  /** One line for people: "file:line:col: message". */
  describe(): string {
    return this.where ? `${this.where}: ${this.message}` : this.message;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof KbackportError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
