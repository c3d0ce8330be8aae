/** notion-stream's own version, from its package.json. */
import { readFileSync } from 'node:fs';

/** The `version` of package.json (src/ and dist/ sit at the same depth under the package root). */
export const TOOL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
