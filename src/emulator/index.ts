/** The Notion API emulator: `notion-stream/emulator`. */
import type { AddBlocksOptions as BlockOptions } from './blocks.js';
import type { SampleContentOptions as ContentOptions } from './content.js';

export * from './server.js';
export * from './workspace.js';
export * from './generate.js';
export * from './seed.js';
export * from './blocks.js';
export * from './content.js';

/**
 * Options of `addBlocks`, all optional: `ids` makes the block ids (default a new `BlockIds`:
 * `b10c0000-0000-4000-8000-<counter>`), `at` is the blocks' created and edited time (ISO, default
 * 2024-01-01T00:00Z), `userId` their author (default the workspace's first user), `parentType` the
 * parent's type (`page_id`, the default, or `block_id`).
 */
export type AddBlocksOptions = BlockOptions;

/**
 * Options of `addSampleContent`, both optional: `pages` is how many pages get a rich document and a
 * discussion (default 10), `dataSourceTitle` the data source whose first pages get them (default the
 * pages of every data source, in order).
 */
export type SampleContentOptions = ContentOptions;
