import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON. */
  lines: Array<Record<string, any>>;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the CLI in-process with its own environment and captured stdout/stderr. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, signal?: AbortSignal, stdin?: string): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const input = stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]);
  const code = await main(argv, { env: { ...env }, stdin: input, stdout: out.stream, stderr: err.stream, signal: signal ?? new AbortController().signal });
  const stdout = out.text();
  const lines = stdout.trimStart().startsWith('{') ? stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { code, stdout, stderr: err.text(), lines };
}
