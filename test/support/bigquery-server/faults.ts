/** Injected faults: each fires on the first request or job it matches and is consumed (count times). */
import type { BigQueryFault } from './types.js';

type Kind = BigQueryFault['kind'];
type FaultOf<K extends Kind> = Extract<BigQueryFault, { kind: K }>;

interface Armed {
  fault: BigQueryFault;
  left: number;
}

export class Faults {
  private armed: Armed[] = [];

  inject(fault: BigQueryFault): void {
    const count = 'count' in fault && fault.count !== undefined ? fault.count : 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault count must be a positive integer, got ${count}`);
    this.armed.push({ fault, left: count });
  }

  clear(): void {
    this.armed = [];
  }

  /** The first armed fault of this kind that matches, consumed once. */
  take<K extends Exclude<Kind, 'slow_jobs'>>(kind: K, matches: (f: FaultOf<K>) => boolean = () => true): FaultOf<K> | undefined {
    const i = this.armed.findIndex((a) => a.fault.kind === kind && matches(a.fault as FaultOf<K>));
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    a.left -= 1;
    if (a.left <= 0) this.armed.splice(i, 1);
    return a.fault as FaultOf<K>;
  }

  /** Peek without consuming. */
  find<K extends Exclude<Kind, 'slow_jobs'>>(kind: K, matches: (f: FaultOf<K>) => boolean = () => true): FaultOf<K> | undefined {
    return this.armed.find((a) => a.fault.kind === kind && matches(a.fault as FaultOf<K>))?.fault as FaultOf<K> | undefined;
  }

  /** slow_jobs stays in force until clearFaults(): the longest one wins. */
  slowMs(): number {
    let ms = 0;
    for (const a of this.armed) if (a.fault.kind === 'slow_jobs') ms = Math.max(ms, a.fault.ms);
    return ms;
  }
}

export function tableMatches(fault: { table?: string }, tableId: string | undefined): boolean {
  return fault.table === undefined || fault.table === tableId;
}
