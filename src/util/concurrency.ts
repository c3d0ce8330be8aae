/**
 * Bounded, order-keeping concurrency for async-iterable stages: memory stays flat because every queue
 * has a fixed size, and the output order is the input order whatever finishes first.
 */
import { abortedError } from '../errors.js';
import { Spool } from './spool.js';

/** Maps each item (of an async iterable or an array) with at most `concurrency` calls in flight, yielding results in input order. */
export async function* mapOrdered<T, U>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<U>,
  options: { concurrency: number; signal?: AbortSignal },
): AsyncGenerator<U> {
  const it: AsyncIterator<T> | Iterator<T> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const inflight: Promise<U>[] = [];
  let done = false;
  try {
    for (;;) {
      while (!done && inflight.length < options.concurrency) {
        const next = await it.next();
        if (next.done) {
          done = true;
          break;
        }
        const p = fn(next.value);
        p.catch(() => {}); // observed when it reaches the head of the queue
        inflight.push(p);
      }
      const head = inflight.shift();
      if (!head) return;
      if (options.signal?.aborted) throw abortedError();
      yield await head;
    }
  } finally {
    await it.return?.();
  }
}

/** A queue between one producer and one consumer. */
interface Queue<T> {
  push(item: T, stop: AbortSignal): Promise<void>;
  close(): void;
  interrupt(): void;
  shift(): Promise<{ value: T } | undefined>;
  dispose(): Promise<void>;
}

/** A fixed-size queue between one producer and one consumer. */
class Channel<T> implements Queue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(private readonly size: number) {}

  async push(item: T, stop: AbortSignal): Promise<void> {
    while (this.items.length >= this.size) {
      if (stop.aborted) throw abortedError();
      await new Promise<void>((resolve) => {
        const done = () => {
          stop.removeEventListener('abort', done);
          resolve();
        };
        this.wakeProducer = done;
        stop.addEventListener('abort', done, { once: true });
      });
    }
    this.items.push(item);
    this.wake('consumer');
  }

  close(): void {
    this.closed = true;
    this.wake('consumer');
  }

  /** Wakes a waiting consumer without an item (the merge is failing). */
  interrupt(): void {
    this.wake('consumer');
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }

  /** The next item; `undefined` at the end, or when interrupted before one arrived. */
  async shift(): Promise<{ value: T } | undefined> {
    if (this.items.length === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      if (this.items.length === 0) return undefined;
    }
    const value = this.items.shift() as T;
    this.wake('producer');
    return { value };
  }

  private wake(who: 'consumer' | 'producer'): void {
    const fn = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    fn?.();
  }
}

/** A `Spool` seen as a `Queue`: pushes never wait for the consumer. */
class SpoolQueue<T> implements Queue<T> {
  private readonly spool: Spool<T>;
  constructor(memoryItems: number) {
    this.spool = new Spool<T>({ memoryItems });
  }
  push(item: T, stop: AbortSignal): Promise<void> {
    if (stop.aborted) return Promise.reject(abortedError());
    return this.spool.push(item);
  }
  close(): void {
    this.spool.close();
  }
  interrupt(): void {
    this.spool.interrupt();
  }
  shift(): Promise<{ value: T } | undefined> {
    return this.spool.next();
  }
  dispose(): Promise<void> {
    return this.spool.dispose();
  }
}

/** Options of `orderedMerge`. */
export interface OrderedMergeOptions {
  /** Sources read at the same time. */
  concurrency: number;
  /** Items held in memory per source being read ahead. */
  buffer: number;
  /**
   * True: a source read ahead never waits; past `buffer` items its output goes to a temporary file
   * (JSON values only, see `Spool`). False (default): it waits while its `buffer` is full.
   */
  spill?: boolean;
  signal?: AbortSignal;
}

/**
 * Reads up to `concurrency` sources at once, each into a queue of `buffer` items (or a spool, with
 * `spill`), and yields the first source's items, then the second's, and so on. A failure in any
 * source stops the whole merge at once; spooled files are removed on every exit.
 */
export async function* orderedMerge<T>(
  sources: ReadonlyArray<(signal: AbortSignal) => AsyncIterable<T>>,
  options: OrderedMergeOptions,
): AsyncGenerator<T> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  const check = () => {
    if (failure) throw failure.error;
    if (options.signal?.aborted) throw abortedError();
  };
  const channels: Queue<T>[] = [];
  const started: Promise<void>[] = [];
  const start = (i: number) => {
    const channel: Queue<T> = options.spill ? new SpoolQueue<T>(options.buffer) : new Channel<T>(options.buffer);
    channels[i] = channel;
    started[i] = (async () => {
      try {
        for await (const item of sources[i]!(stop.signal)) await channel.push(item, stop.signal);
        channel.close();
      } catch (error) {
        failure ??= { error };
        stop.abort();
        for (const c of channels) c?.interrupt();
      }
    })();
  };
  try {
    let next = 0;
    for (; next < Math.min(options.concurrency, sources.length); next++) start(next);
    for (let i = 0; i < sources.length; i++) {
      for (;;) {
        check();
        const item = await channels[i]!.shift();
        check();
        if (!item) break;
        yield item.value;
      }
      void channels[i]!.dispose();
      if (next < sources.length) start(next++);
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled(started);
    await Promise.allSettled(channels.map((c) => c?.dispose()));
  }
}
