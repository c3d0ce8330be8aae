import { Writable } from 'node:stream';
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
export async function runCli(argv: string[], env: Record<string, string | undefined>, signal?: AbortSignal): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await main(argv, { env: { ...env }, stdout: out.stream, stderr: err.stream, signal: signal ?? new AbortController().signal });
  const stdout = out.text();
  const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code, stdout, stderr: err.text(), lines };
}
