import { redact } from '../notion/errors.js';

/** Where progress and warnings go. The CLI writes them to stderr; library users may pass their own. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {} };

/** A logger writing one line per message to a stream (stderr), with secrets removed. */
export function streamLogger(
  out: NodeJS.WritableStream,
  options: { secrets?: (string | undefined)[]; quiet?: boolean } = {},
): Logger {
  const write = (line: string) => out.write(`${redact(line, options.secrets ?? [])}\n`);
  return {
    info: (line) => {
      if (!options.quiet) write(line);
    },
    warn: (line) => write(`warning: ${line}`),
  };
}
