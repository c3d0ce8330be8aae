/**
 * Runs the built CLI (`bin/notion-stream.js`, from `npm run build`) as a real shell pipe, and lets a
 * test kill its first stage: `sh -c 'stage1 | stage2 | ...'`, exit code of the last stage.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface PipeRun {
  /** Resolves when the whole pipe ended: the shell's exit code (the last stage's) and each stage's stderr. */
  done: Promise<{ code: number; stderr: string[]; stdout: string }>;
  /** The pid of the first stage, once it started. */
  firstPid(): Promise<number>;
}

/**
 * Starts `notion-stream <stages[0]> | notion-stream <stages[1]> | ...` in `dir`: the first stage writes its
 * pid to `dir/pid`, stage i its stderr to `dir/stderr-i`.
 */
export function startPipe(stages: string[][], env: Record<string, string>, dir: string): PipeRun {
  const node = quote(process.execPath);
  const pidFile = join(dir, 'pid');
  const errFile = (i: number) => join(dir, `stderr-${i}`);
  const cmd = stages.map((args, i) => {
    const run = `${node} ${quote(BIN)} ${args.map(quote).join(' ')} 2> ${quote(errFile(i))}`;
    return i === 0 ? `sh -c 'echo $$ > "$0"; exec "$@"' ${quote(pidFile)} ${run}` : run;
  });
  rmSync(pidFile, { force: true });
  const child = spawn('sh', ['-c', cmd.join(' | ')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stderr.resume();
  child.stdout.on('data', (d) => (stdout += d));
  const done = once(child, 'exit').then(async ([code]) => ({
    code: code as number,
    stdout,
    stderr: await Promise.all(stages.map((_, i) => readFile(errFile(i), 'utf8'))),
  }));
  const firstPid = async () => {
    for (;;) {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      if (/^\d+\s*$/.test(text)) return Number(text);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { done, firstPid };
}
