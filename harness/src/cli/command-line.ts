/**
 * The command line of every CLI (up, fault, cutover, bench, start), read with node's parseArgs. A
 * mistake in it is the user's, not the program's: it is answered with one sentence and the usage,
 * exit code 2, never with parseArgs's TypeError and its stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a parseArgs error says, as one sentence a user reads. */
export function sentenceFor(error: unknown): string | null {
  if (!(error instanceof TypeError)) return null;
  const code = (error as TypeError & { code?: string }).code ?? '';
  const option = /'(-{1,2}[^'\s]+)/.exec(error.message)?.[1];
  const positional = /Unexpected argument '([^']*)'/.exec(error.message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `${option ?? 'an option'} needs a value` : `${option ?? 'an option'} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${positional ?? error.message}`;
    default:
      return null;
  }
}

/** Stops the command as a usage error: the sentence and the usage on stderr, exit code 2. */
export function usageError(command: string, sentence: string, usage: string): never {
  console.error(`${command}: ${sentence}\n${usage}`);
  process.exit(2);
}

export function parseCommandLine<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const sentence = sentenceFor(error);
    if (sentence === null) throw error;
    return usageError(command, sentence, usage);
  }
}
