/**
 * An unbounded first-in-first-out queue of JSON values between one producer and one consumer that
 * keeps at most `memoryItems` values in memory and spills the rest to a temporary file, so a producer
 * that runs ahead of its consumer never waits and memory stays flat.
 *
 * The temporary file is removed from the directory as soon as it is opened (it lives on only through
 * the open descriptor), so an abort, a crash or a kill leaves nothing behind; `dispose()` closes it.
 * Where the platform refuses to remove an open file, `dispose()` removes it.
 */
import { randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Options of a `Spool`. */
export interface SpoolOptions {
  /** Values held in memory before spilling to disk. Default 256. */
  memoryItems?: number;
  /** Directory of the temporary file. Default `os.tmpdir()`. */
  dir?: string;
}

const READ_CHUNK = 1 << 20;

/** See the module comment. Values must survive `JSON.stringify` / `JSON.parse` unchanged. */
export class Spool<T> {
  private readonly memoryItems: number;
  private readonly dir: string;
  private readonly memory: T[] = [];
  private readonly parsed: T[] = [];
  private file: { handle: FileHandle; path: string | undefined } | undefined;
  private opening: Promise<FileHandle> | undefined;
  private spilled = false;
  private writing = false;
  private writePos = 0;
  private readPos = 0;
  private pending = ''; // a partial line read from the file
  private decoder = new StringDecoder('utf8');
  private closed = false;
  private disposed = false;
  private wake: (() => void) | undefined;

  constructor(options: SpoolOptions = {}) {
    this.memoryItems = Math.max(1, options.memoryItems ?? 256);
    this.dir = options.dir ?? tmpdir();
  }

  /** Values spilled to disk at the moment and not yet read back: for tests and stats. */
  get spilling(): boolean {
    return this.spilled;
  }

  /** Appends one value. Never waits for the consumer; only for the disk write when spilling. */
  async push(value: T): Promise<void> {
    if (this.disposed) return;
    if (!this.spilled && this.memory.length < this.memoryItems) {
      this.memory.push(value);
    } else {
      this.spilled = true;
      this.writing = true;
      try {
        const handle = await this.handle();
        const buf = Buffer.from(JSON.stringify(value) + '\n', 'utf8');
        let off = 0;
        while (off < buf.length) {
          const { bytesWritten } = await handle.write(buf, off, buf.length - off, this.writePos + off);
          off += bytesWritten;
        }
        this.writePos += buf.length;
      } finally {
        this.writing = false;
      }
    }
    this.notify();
  }

  /** No more values will be pushed. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Wakes a waiting `next()` without a value (it then returns `undefined`): the producer failed. */
  interrupt(): void {
    this.notify();
  }

  /** The next value in push order; `undefined` at the end, or when interrupted before one arrived. */
  async next(): Promise<{ value: T } | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (this.memory.length > 0) return { value: this.memory.shift() as T };
      if (this.parsed.length > 0) return { value: this.parsed.shift() as T };
      if (this.readPos < this.writePos) {
        await this.readChunk();
        continue;
      }
      // Everything spilled has been read back: memory takes over again (unless a write is under way).
      if (this.spilled && !this.writing && this.pending === '') {
        this.spilled = false;
        this.readPos = this.writePos = 0;
        this.decoder = new StringDecoder('utf8');
      }
      if (this.closed || this.disposed || attempt > 0) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Closes and removes the temporary file. Idempotent; later pushes are dropped. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.notify();
    const handle = this.file?.handle ?? (await this.opening?.catch(() => undefined));
    const path = this.file?.path;
    this.file = undefined;
    this.memory.length = 0;
    this.parsed.length = 0;
    await handle?.close().catch(() => {});
    if (path) await unlink(path).catch(() => {});
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private handle(): Promise<FileHandle> {
    if (this.file) return Promise.resolve(this.file.handle);
    this.opening ??= (async () => {
      const path = join(this.dir, `notion-stream-spool-${process.pid}-${randomUUID()}.ndjson`);
      const handle = await open(path, 'wx+', 0o600);
      let kept: string | undefined;
      try {
        await unlink(path);
      } catch {
        kept = path; // removed by dispose()
      }
      this.file = { handle, path: kept };
      if (this.disposed) await this.dispose();
      return handle;
    })();
    return this.opening;
  }

  private async readChunk(): Promise<void> {
    const handle = await this.handle();
    const length = Math.min(READ_CHUNK, this.writePos - this.readPos);
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buf, 0, length, this.readPos);
    this.readPos += bytesRead;
    const text = this.pending + this.decoder.write(buf.subarray(0, bytesRead));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.parsed.push(JSON.parse(line) as T);
  }
}
