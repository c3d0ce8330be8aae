/** Notion id helpers: ids arrive dashed or undashed, in any case. */

const HEX32 = /^[0-9a-f]{32}$/;

/** The 32 lowercase hex digits of an id, or undefined when the text is not an id. */
export function compactId(text: string): string | undefined {
  const hex = text.replace(/-/g, '').toLowerCase();
  return HEX32.test(hex) ? hex : undefined;
}

/** Dashed 8-4-4-4-12 form of a 32-hex id. */
export function dashId(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Canonical (dashed, lowercase) form of an id, or undefined when malformed. */
export function normalizeId(text: string): string | undefined {
  const hex = compactId(text);
  return hex === undefined ? undefined : dashId(hex);
}

/** True when two ids name the same object, whatever their dashes and case. */
export function sameId(a: string, b: string): boolean {
  const ca = compactId(a);
  return ca !== undefined && ca === compactId(b);
}

/** decodeURIComponent that returns the input unchanged when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
