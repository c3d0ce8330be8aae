/** The Notion API emulator: `notion-stream/emulator`. */
export * from './server.js';
export * from './workspace.js';
