/** The Notion API emulator: `notion-stream/emulator`. */
export * from './server.js';
export * from './workspace.js';
export * from './generate.js';
export * from './seed.js';
export * from './blocks.js';
export * from './content.js';
