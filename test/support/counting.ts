/**
 * Observing how output is written: a Writable that counts its write/writev calls, and a counter of the
 * file system's write calls (fs.WriteStream goes through `fs.write`/`fs.writev`; the calls still run).
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { vi } from 'vitest';

/** A Writable that counts its write/writev calls and keeps what it got. */
export function countingWritable(options: { highWaterMark?: number } = {}) {
  const chunks: Buffer[] = [];
  let calls = 0;
  const stream = new Writable({
    highWaterMark: options.highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      calls++;
      chunks.push(chunk);
      cb();
    },
    writev(entries, cb) {
      calls++;
      for (const e of entries) chunks.push(e.chunk as Buffer);
      cb();
    },
  });
  return { stream, calls: () => calls, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Counts the file system writes while `body` runs: `writes`, the `fs.write`/`fs.writev` calls (one write
 * syscall each), and `chunks`, the buffers they carried (what the code handed to its file streams: a
 * stream writing one line per call shows one chunk per line even when Node joins them in a writev).
 */
export async function countFileWrites<T>(body: () => Promise<T>): Promise<{ result: T; writes: number; chunks: number }> {
  const write = vi.spyOn(fs, 'write');
  const writev = vi.spyOn(fs, 'writev');
  try {
    const result = await body();
    const buffers = writev.mock.calls.reduce((sum, call) => sum + (call[1] as unknown[]).length, 0);
    return { result, writes: write.mock.calls.length + writev.mock.calls.length, chunks: write.mock.calls.length + buffers };
  } finally {
    write.mockRestore();
    writev.mockRestore();
  }
}
