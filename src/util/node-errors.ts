/**
 * Turns the errors Node and the runtime throw (file system, network, stack depth) into one sentence
 * naming the cause and the fix, so no exit path of the CLI prints "unexpected error" and a stack trace.
 */

const FIXES: Record<string, string> = {
  ENOSPC: 'the disk is full; free space or choose another --out',
  EDQUOT: 'the disk quota is used up; free space or choose another --out',
  EROFS: 'the file system is read-only; choose another --out',
  EACCES: 'permission denied; choose a path you can write or change its permissions',
  EPERM: 'the operation is not permitted there; choose another path',
  EISDIR: 'it is a directory where a file is needed; give a file path',
  ENOTDIR: 'a part of the path is a file, not a directory; fix the path',
  ENOENT: 'no such file or directory; check the path',
  EEXIST: 'the file already exists; remove it or choose another path',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or lower --concurrency',
  ENFILE: 'too many open files on the system; close other programs or lower --concurrency',
  EIO: 'an input/output error from the disk; check the device',
  EFBIG: 'the file is too large for the file system; choose another --out',
  ENAMETOOLONG: 'the path is too long; choose a shorter one',
  EADDRINUSE: 'the port is already in use; stop what uses it or choose another --port (0 picks a free one)',
  EADDRNOTAVAIL: 'the address is not available on this machine; choose another',
  ECONNREFUSED: 'the connection was refused; check that the server runs and the URL is right',
  ENOTFOUND: 'the host name does not resolve; check the URL and the network',
  ECONNRESET: 'the connection was reset; check the network and run again',
  ETIMEDOUT: 'the connection timed out; check the network and run again',
  EPIPE: 'the reading end of the pipe was closed',
};

/** One sentence for a Node system error (`ENOSPC: ...`), else the error's own first line. Ends with a period. */
export function describeNodeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const where = e?.path ? ` (${e.path})` : e && 'port' in e ? ` (port ${(e as { port: unknown }).port})` : '';
  if (code && FIXES[code]) return `${code}${where}: ${FIXES[code]}.`;
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return 'a value in the input is nested too deeply to process (Maximum call stack size exceeded); flatten or shorten that value.';
  }
  const text = err instanceof Error ? err.message : String(err);
  if (/No space left on device/i.test(text)) return `ENOSPC: the disk is full; free space or choose another --out (${text.split('\n')[0]!.trim()}).`;
  const line = text.split('\n')[0]!.trim().replace(/\.$/, '');
  return `${code && !line.includes(code) ? `${code}: ` : ''}${line}.`;
}

/** True for an error from the operating system (it has an errno code such as `ENOSPC`). */
export function isSystemError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}
