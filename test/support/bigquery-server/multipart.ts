/**
 * multipart/related bodies of `uploadType=multipart` uploads: a JSON metadata part, then the media.
 * A body counts only when its closing delimiter `--B--` arrived.
 */
import { invalid } from './errors.js';

export interface MultipartUpload {
  metadata: unknown;
  media: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/related\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** True once the body holds its closing delimiter (optionally followed by CRLF / epilogue whitespace). */
export function isComplete(body: Buffer, boundary: string): boolean {
  const closing = Buffer.from(`--${boundary}--`);
  const tail = body.subarray(Math.max(0, body.length - closing.length - 8));
  const at = tail.lastIndexOf(closing);
  return at >= 0 && tail.subarray(at + closing.length).toString('latin1').trim() === '';
}

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

function splitParts(body: Buffer, boundary: string, requireClose: boolean): Part[] | undefined {
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) return undefined;
  const parts: Part[] = [];
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts;
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') return requireClose ? undefined : parts;
    pos += 2;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), pos);
    if (next < 0) return requireClose ? undefined : parts;
    const raw = body.subarray(pos, next);
    const headerEnd = raw.indexOf('\r\n\r\n');
    const headerText = headerEnd < 0 ? raw.toString('latin1') : raw.subarray(0, headerEnd).toString('latin1');
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    parts.push({ headers, body: headerEnd < 0 ? Buffer.alloc(0) : raw.subarray(headerEnd + 4) });
    pos = next + 2;
  }
}

export function parseMultipart(body: Buffer, boundary: string): MultipartUpload {
  const parts = splitParts(body, boundary, true);
  if (!parts || parts.length !== 2) throw invalid('Invalid multipart request: expected a metadata part and a media part');
  const [meta, media] = parts as [Part, Part];
  if (!/^application\/json/i.test(meta.headers['content-type'] ?? '')) throw invalid('Invalid multipart request: the first part must be application/json');
  let metadata: unknown;
  try {
    metadata = JSON.parse(meta.body.toString('utf8'));
  } catch {
    throw invalid('Invalid JSON payload received in the multipart metadata part');
  }
  return { metadata, media: media.body };
}

/** The metadata part of a body still arriving, once it is complete; undefined before. */
export function peekMetadata(partial: Buffer, boundary: string): unknown {
  const parts = splitParts(partial, boundary, false);
  const first = parts?.[0];
  if (!first) return undefined;
  try {
    return JSON.parse(first.body.toString('utf8'));
  } catch {
    return undefined;
  }
}
