/** Runs the CLI in-process with a stdout that counts its write calls (see `countingWritable`). */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { countingWritable } from './counting.js';

export interface CountedRun {
  code: number;
  stdout: string;
  stderr: string;
  /** write/writev calls stdout received. */
  writes: number;
  /** stdout's non-empty lines. */
  lines: string[];
}

/** `notion-stream <argv>` in this process, stdin from `stdin` (one chunk) when given. */
export async function runCounted(argv: string[], env: Record<string, string | undefined>, stdin?: string): Promise<CountedRun> {
  const out = countingWritable();
  const err = countingWritable();
  const input = stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]);
  const code = await main(argv, { env: { ...env }, stdin: input, stdout: out.stream, stderr: err.stream, signal: new AbortController().signal });
  const stdout = out.text();
  return { code, stdout, stderr: err.text(), writes: out.calls(), lines: stdout.split('\n').filter(Boolean) };
}
