/** Random property values of generated pages: dates, rich text, files, people, phones, verification, places. */
import type { JsonObject } from '../workspace.js';
import type { Ctx } from './plan.js';
import type { Rng } from './rng.js';
import { DAY, MINUTE } from './spec.js';
import { annotations, COLORS, dateMention, equationItem, fullUser, isoDate, isoWithOffset, pageMention, textItem, userMention } from './values.js';
import { FILE_NAMES, OFFSETS, PLACES, SENTENCES, TIME_ZONES } from './words.js';

/** A date value near `aroundMs`: null, a date (range), a datetime with an offset, or with a time zone. */
export function dateValue(rng: Rng, aroundMs: number): JsonObject | null {
  const r = rng.next();
  if (r < 0.15) return null;
  const ms = aroundMs + rng.int(-30, 120) * DAY;
  if (r < 0.5) {
    const withEnd = rng.chance(0.2);
    return { start: isoDate(ms), end: withEnd ? isoDate(ms + rng.int(1, 14) * DAY) : null, time_zone: null };
  }
  const at = Math.floor(ms / DAY) * DAY + rng.int(7, 19) * 3_600_000 + rng.pick([0, 15, 30, 45]) * MINUTE;
  const withEnd = rng.chance(0.3);
  const endAt = at + rng.int(1, 8) * 30 * MINUTE;
  if (r < 0.8) {
    const off = rng.pick(OFFSETS);
    return { start: isoWithOffset(at, off), end: withEnd ? isoWithOffset(endAt, off) : null, time_zone: null };
  }
  const [tz, off] = rng.pick(TIME_ZONES);
  return { start: isoWithOffset(at, off), end: withEnd ? isoWithOffset(endAt, off) : null, time_zone: tz };
}

/** Rich text of one to four items (text, links, user, page and date mentions, equations), or empty. */
export function richTextValue(ctx: Ctx, rng: Rng, createdMs: number): JsonObject[] {
  if (rng.chance(0.2)) return [];
  const items: JsonObject[] = [];
  const n = rng.int(1, 4);
  for (let j = 0; j < n; j++) {
    const r = rng.next();
    if (r < 0.5) {
      const ann = rng.chance(0.7)
        ? annotations()
        : annotations({
            bold: rng.chance(0.5),
            italic: rng.chance(0.4),
            strikethrough: rng.chance(0.1),
            underline: rng.chance(0.2),
            code: rng.chance(0.15),
            color: rng.pick(COLORS),
          });
      items.push(textItem(rng.pick(SENTENCES) + (j < n - 1 ? ' ' : ''), ann));
    } else if (r < 0.6) {
      items.push(textItem('the spec', annotations(), `https://example.com/specs/${rng.hex(6)}`));
    } else if (r < 0.75) {
      items.push(userMention(rng.pick(ctx.persons), rng.chance(0.3) ? annotations({ color: 'green' }) : undefined));
    } else if (r < 0.87 && ctx.allPages.length > 0) {
      const [pid, title] = rng.pick(ctx.allPages);
      items.push(pageMention(pid, title));
    } else if (r < 0.95) {
      items.push(dateMention({ start: isoDate(createdMs + rng.int(0, 60) * DAY), end: null, time_zone: null }));
    } else {
      items.push(equationItem(rng.pick(['E = mc^2', '\\sum_{i=1}^{n} i', 'a^2 + b^2 = c^2'])));
    }
  }
  return items;
}

function signedFileUrl(rng: Rng, name: string, atMs: number): string {
  const date = new Date(atMs).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
  return (
    `https://prod-files-secure.s3.us-west-2.amazonaws.com/${rng.uuid()}/${rng.uuid()}/${encodeURIComponent(name)}` +
    `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD` +
    `&X-Amz-Credential=ASIAZI2LB466${rng.hex(8).toUpperCase()}%2F${date.slice(0, 8)}%2Fus-west-2%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${date}&X-Amz-Expires=3600&X-Amz-Signature=${rng.hex(64)}&X-Amz-SignedHeaders=host&x-id=GetObject`
  );
}

/** A files value: Notion-hosted files with signed URLs (expiring an hour after signing) and external links, or empty. */
export function filesValue(rng: Rng, editedMs: number): JsonObject[] {
  if (rng.chance(0.5)) return [];
  const n = rng.int(1, 3);
  const out: JsonObject[] = [];
  for (let j = 0; j < n; j++) {
    const name = rng.pick(FILE_NAMES);
    if (rng.chance(0.6)) {
      const signedAt = editedMs + rng.int(0, 59_999);
      out.push({ name, type: 'file', file: { url: signedFileUrl(rng, name, signedAt), expiry_time: new Date(signedAt + 3_600_000).toISOString() } });
    } else {
      const url = `https://cdn.example.com/assets/${rng.hex(8)}/${encodeURIComponent(name)}`;
      out.push({ name: rng.chance(0.5) ? url : name, type: 'external', external: { url } });
    }
  }
  return out;
}

/** A people value: up to four persons, sometimes a group. */
export function peopleValue(ctx: Ctx, rng: Rng): JsonObject[] {
  if (rng.chance(0.25)) return [];
  const out = rng.sample(ctx.persons, rng.int(1, 4)).map(fullUser);
  if (rng.chance(0.03)) out.push({ object: 'group', id: rng.uuid(), name: 'Engineering' });
  return out;
}

/** A phone number in one of several national formats. */
export function phoneValue(rng: Rng): string {
  const formats = [
    () => `+1 415-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
    () => `+44 20 7946 ${String(rng.int(0, 999)).padStart(3, '0')}`,
    () => `(555) ${rng.int(100, 999)}-${String(rng.int(0, 9999)).padStart(4, '0')}`,
    () => `03-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
  ];
  return rng.pick(formats)();
}

/** A verification value: unverified, or verified or expired, by a person, with a date (range). */
export function verificationValue(ctx: Ctx, rng: Rng, createdMs: number): JsonObject {
  const r = rng.next();
  if (r < 0.5) return { state: 'unverified', verified_by: null, date: null };
  const at = Math.floor((createdMs + rng.int(1, 30) * DAY) / DAY) * DAY + 15 * 3_600_000;
  return {
    state: r < 0.8 ? 'verified' : 'expired',
    verified_by: fullUser(rng.pick(ctx.persons)),
    date: { start: new Date(at).toISOString(), end: rng.chance(0.7) ? new Date(at + 7 * DAY).toISOString() : null, time_zone: null },
  };
}

/** A place value (coordinates, name, address, a Google or Amazon place id), or null. */
export function placeValue(rng: Rng): JsonObject | null {
  if (rng.chance(0.4)) return null;
  const p = rng.pick(PLACES);
  const google = rng.chance(0.5) ? `ChIJ${rng.hex(23)}` : null;
  // Notion names a place by Google's or by Amazon's place id (derived here without drawing from rng).
  const aws = google === null ? `AQAA${p.name.replace(/[^A-Za-z]/g, '').toUpperCase()}` : null;
  return { lat: p.lat, lon: p.lon, name: p.name, address: p.address, google_place_id: google, aws_place_id: aws };
}
