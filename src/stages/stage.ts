/**
 * The one stage shape: every stage is an async generator function (items in, items out, a signal in
 * its options), and `toDuplex` is the one adapter that makes it a Node.js stream stage for
 * `stream.pipeline`, with backpressure on both sides.
 */
import { Duplex } from 'node:stream';

/** A stage: reads `input` as it needs it and yields its output; stops (throws `aborted`) when its signal aborts. */
export type Stage<In, Out> = (input: AsyncIterable<In>) => AsyncIterable<Out>;

/**
 * Wraps a stage as an object-mode Duplex: what is written is the stage's input, what is read its output.
 * Backpressure holds both ways: the stage pulls its input only as fast as its output is read, so it holds
 * Node's object-mode buffers (16 items each side) plus what the stage itself holds. An error thrown by the
 * stage destroys the Duplex with that error, so `pipeline` rejects with it.
 */
export function toDuplex<In, Out>(stage: Stage<In, Out>): Duplex {
  return Duplex.from(async function* (input: AsyncIterable<In>) {
    yield* stage(input);
  });
}
