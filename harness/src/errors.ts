/**
 * What a command prints for something thrown: an Error's message, or its stack when the failure is
 * one to debug (a crash in the middle of `npm start`), its cause's message after it when it has
 * one (fetch's "fetch failed" says nothing without it); anything else thrown, as a string.
 */
export function describeError(error: unknown, options: { stack?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  const text = options.stack === true ? (error.stack ?? error.message) : error.message;
  return error.cause instanceof Error ? `${text}: ${error.cause.message}` : text;
}
