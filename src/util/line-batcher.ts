/**
 * Objects in, NDJSON text out in batches: lines are joined into one chunk until `maxBytes` is reached
 * or the input pauses (the next turn of the event loop), so a fast stage writes many lines per
 * syscall on a pipe while a slow one still writes each line promptly.
 */
import { stringifyJson } from '../singer/json.js';
import { Transform } from 'node:stream';

/** Options of `createLineBatcher`. */
export interface LineBatcherOptions {
  /** Bytes (UTF-16 code units, close enough) gathered before a chunk is pushed. Default 64 KiB. */
  maxBytes?: number;
}

/** A Transform: objects (object mode) in, `JSON.stringify(obj) + "\n"` text out, batched. */
export function createLineBatcher(options: LineBatcherOptions = {}): Transform {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Immediate | undefined;
  const flush = (stream: Transform) => {
    if (timer) clearImmediate(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    size = 0;
    stream.push(chunk);
  };
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 16,
    transform(obj, _enc, cb) {
      const line = `${stringifyJson(obj)}\n`; // integers past 2^53 keep every digit
      pending.push(line);
      size += line.length;
      if (size >= maxBytes) flush(this);
      else timer ??= setImmediate(() => flush(this));
      cb();
    },
    flush(cb) {
      flush(this);
      cb();
    },
    destroy(err, cb) {
      if (timer) clearImmediate(timer);
      timer = undefined;
      cb(err);
    },
  });
}
