/** The generated users: persons with unique names and e-mails, then bots. */
import type { EmuUser } from '../workspace.js';
import type { Rng } from './rng.js';
import { BOT_NAMES, FIRST_NAMES, LAST_NAMES } from './words.js';

/** `persons` persons with distinct names and e-mails, then `bots` bots. */
export function makeUsers(rng: Rng, persons: number, bots: number): EmuUser[] {
  const firsts = rng.sample(FIRST_NAMES, FIRST_NAMES.length);
  const lasts = rng.sample(LAST_NAMES, LAST_NAMES.length);
  const users: EmuUser[] = [];
  for (let i = 0; i < persons; i++) {
    const first = firsts[i % firsts.length]!;
    const last = lasts[(i + Math.floor(i / firsts.length)) % lasts.length]!;
    const round = Math.floor(i / (firsts.length * lasts.length));
    const local = `${first}.${last}`
      .replace(/ı/g, 'i')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const id = rng.uuid();
    users.push({
      object: 'user',
      id,
      name: `${first} ${last}`,
      avatar_url: rng.chance(0.25)
        ? null
        : `https://s3-us-west-2.amazonaws.com/public.notion-static.com/${rng.uuid()}/avatar.png`,
      type: 'person',
      person: { email: `${local}${round > 0 ? round : ''}@example.com` },
    });
  }
  for (let i = 0; i < bots; i++) {
    users.push({
      object: 'user',
      id: rng.uuid(),
      name: BOT_NAMES[i % BOT_NAMES.length]!,
      avatar_url: null,
      type: 'bot',
      bot: {},
    });
  }
  return users;
}
