/**
 * The emulator in a child process for the benches, so its memory does not count in the reader's RSS.
 * `startEmulatorProcess(['--workspace', 'scale:3x10000', '--rate-limit', '3'])` resolves to
 * `{ url: { baseUrl, token }, child, banner(), stop() }` once `emulate` printed where it listens.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/notion-stream.js', import.meta.url));

export async function startEmulatorProcess(args) {
  const child = spawn(process.execPath, [bin, 'emulate', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let banner = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      banner += d;
      const m = /NOTION_BASE_URL=(\S+) NOTION_TOKEN=(\S+)/.exec(banner);
      if (m) resolve({ baseUrl: m[1], token: m[2] });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${banner}`)));
  });
  return { url, child, banner: () => banner, stop: async () => (child.kill('SIGINT'), await once(child, 'exit')) };
}
