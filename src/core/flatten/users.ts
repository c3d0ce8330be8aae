/** User objects (people, created_by, verified_by, ...) as their id, name, e-mail and kind. */
import type { Json } from '../../notion/types.js';
import type { Row } from './checks.js';
import { isObject } from './columns.js';

/** The id of a user object, or null. */
export function userId(v: Json | undefined): string | null {
  return isObject(v) && typeof v.id === 'string' ? v.id : null;
}

/**
 * What a user object says: id, name, e-mail and kind. The kind is `person` or `bot` (a user's `type`),
 * `group` (an object of `object: "group"`), or null for a partial user (`{object:"user", id}`), which
 * does not say.
 */
export function userFields(v: Json | undefined): { id: string | null; name: string | null; email: string | null; type: string | null } {
  if (!isObject(v)) return { id: null, name: null, email: null, type: null };
  const person = v.person;
  const type = v.object === 'group' ? 'group' : typeof v.type === 'string' ? v.type : null;
  return {
    id: typeof v.id === 'string' ? v.id : null,
    name: typeof v.name === 'string' ? v.name : null,
    email: isObject(person) && typeof person.email === 'string' ? person.email : null,
    type,
  };
}

/** Writes a user into its four columns: id, name, e-mail, kind. */
export function writeUser(row: Row, base: string, v: Json | undefined): void {
  const u = userFields(v);
  row[base] = u.id;
  row[`${base}_name`] = u.name;
  row[`${base}_email`] = u.email;
  row[`${base}_type`] = u.type;
}
