/**
 * Opaque pagination cursors. The server hands out random UUID-like strings and remembers what each
 * one means; an unknown cursor is answered with Notion's "The start_cursor provided is invalid".
 */

import { randomBytes, randomUUID } from 'node:crypto';

export class CursorStore<T> {
  readonly #entries = new Map<string, T>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly makeCursor: () => string = randomUUID,
  ) {}

  issue(state: T): string {
    const cursor = this.makeCursor();
    this.#entries.set(cursor, state);
    if (this.#entries.size > this.maxEntries) {
      // Forget the oldest cursor, as Notion lets old cursors expire.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return cursor;
  }

  get(cursor: string): T | undefined {
    return this.#entries.get(cursor);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** A short opaque cursor like the property item endpoint's (`"PLuaRX"`). */
export function shortCursor(): string {
  return randomBytes(6).toString('base64url').slice(0, 6);
}
