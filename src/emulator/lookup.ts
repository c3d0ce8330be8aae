/**
 * Id lookups over the live workspace. Tests mutate the workspace freely (push pages, replace objects,
 * flip `shared`/`in_trash`), so every index is verified on use and rebuilt when it went stale.
 */

import { compactId } from './ids.js';
import type { EmuDatabase, EmuDataSource, EmuPage, EmuUser, JsonObject, Workspace } from './workspace.js';

class PositionIndex<T extends { id: string }> {
  #source: T[] | undefined;
  #builtLength = 0;
  #positions = new Map<string, number>();

  find(list: T[], id: string): T | undefined {
    const hex = compactId(id);
    if (hex === undefined) return undefined;
    const hit = this.#probe(list, hex);
    if (hit !== undefined && hit !== null) return hit;
    if (hit === null || list !== this.#source || list.length !== this.#builtLength) {
      // Stale (the list grew, shrank, was replaced or reordered): rebuild once and retry.
      this.#rebuild(list);
      return this.#probe(list, hex) ?? undefined;
    }
    // Same list, same length: most misses are genuine (unknown ids), so look without rebuilding,
    // and rebuild only when an element was swapped in place.
    const dashed = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const found = list.find((item) => item.id === dashed || item.id === hex);
    if (found !== undefined) this.#rebuild(list);
    return found;
  }

  /** The item, undefined when unknown, null when the index no longer matches the list. */
  #probe(list: T[], hex: string): T | null | undefined {
    if (this.#source !== list) return null;
    const pos = this.#positions.get(hex);
    if (pos === undefined) return undefined;
    const item = list[pos];
    return item !== undefined && compactId(item.id) === hex ? item : null;
  }

  #rebuild(list: T[]): void {
    this.#source = list;
    this.#builtLength = list.length;
    this.#positions = new Map();
    list.forEach((item, i) => {
      const hex = compactId(item.id);
      if (hex !== undefined && !this.#positions.has(hex)) this.#positions.set(hex, i);
    });
  }
}

export class WorkspaceLookup {
  readonly #pages = new PositionIndex<EmuPage>();
  readonly #dataSources = new PositionIndex<EmuDataSource>();
  readonly #databases = new PositionIndex<EmuDatabase>();
  readonly #users = new PositionIndex<EmuUser>();

  constructor(readonly workspace: Workspace) {}

  page(id: string): EmuPage | undefined {
    return this.#pages.find(this.workspace.pages, id);
  }

  dataSource(id: string): EmuDataSource | undefined {
    return this.#dataSources.find(this.workspace.dataSources, id);
  }

  database(id: string): EmuDatabase | undefined {
    return this.#databases.find(this.workspace.databases, id);
  }

  user(id: string): EmuUser | undefined {
    return this.#users.find(this.workspace.users, id);
  }

  /** Children of a block or page as stored (key dashed or not). */
  blockChildren(id: string): JsonObject[] | undefined {
    const direct = this.workspace.blocks[id];
    if (direct !== undefined) return direct;
    const hex = compactId(id);
    if (hex === undefined) return undefined;
    for (const [key, children] of Object.entries(this.workspace.blocks)) {
      if (compactId(key) === hex) return children;
    }
    return undefined;
  }

  /** Comments on a block or page as stored (key dashed or not). */
  commentsOn(id: string): JsonObject[] | undefined {
    const direct = this.workspace.comments[id];
    if (direct !== undefined) return direct;
    const hex = compactId(id);
    if (hex === undefined) return undefined;
    for (const [key, list] of Object.entries(this.workspace.comments)) {
      if (compactId(key) === hex) return list;
    }
    return undefined;
  }

  /** True when some stored block has this id (blocks without children are only known this way). */
  isBlock(id: string): boolean {
    const hex = compactId(id);
    if (hex === undefined) return false;
    for (const children of Object.values(this.workspace.blocks)) {
      for (const block of children) {
        if (typeof block.id === 'string' && compactId(block.id) === hex) return true;
      }
    }
    return false;
  }
}
