/** The values of the 'all-types' formula properties, computed from the page's own values. */
import type { EmuPage, EmuPropertyValue, JsonObject } from '../workspace.js';
import { ALL_TYPES_PROPERTIES } from './schemas.js';
import { DAY, MINUTE } from './spec.js';
import { containerIso, isoDate } from './values.js';

/** Value of the four formula properties, computed from the page's own values as the expressions say. */
export function formulaValues(props: Record<string, EmuPropertyValue>): Record<string, JsonObject> {
  const P = ALL_TYPES_PROPERTIES;
  const title = ((props[P.title]?.['title'] as JsonObject[] | undefined) ?? []).map((t) => String(t['plain_text'])).join('');
  const priority = (props[P.priority]?.['select'] as JsonObject | null | undefined)?.['name'] ?? '';
  const budget = props[P.budget]?.['number'] as number | null | undefined;
  const estimate = props[P.estimate]?.['number'] as number | null | undefined;
  const due = props[P.due]?.['date'] as { start: string } | null | undefined;
  let review: JsonObject | null = null;
  if (due) {
    if (due.start.length === 10) {
      review = { start: isoDate(Date.parse(due.start) + 7 * DAY), end: null, time_zone: null };
    } else {
      review = { start: containerIso(Math.floor((Date.parse(due.start) + 7 * DAY) / MINUTE) * MINUTE), end: null, time_zone: null };
    }
  }
  return {
    [P.label]: { type: 'string', string: `${title} · ${String(priority)}` },
    [P.rate]: {
      type: 'number',
      number: budget != null && estimate != null && estimate !== 0 ? Math.round((budget / estimate) * 100) / 100 : null,
    },
    [P.overBudget]: { type: 'boolean', boolean: budget != null && budget > 50000 },
    [P.review]: { type: 'date', date: review },
  };
}

/** Recomputes the formula values of an 'all-types' page after its inputs were changed. */
export function recomputeFormulas(page: EmuPage): void {
  const values = formulaValues(page.properties);
  for (const [name, v] of Object.entries(values)) {
    const prop = page.properties[name];
    if (prop && prop.type === 'formula') prop['formula'] = v;
  }
}
