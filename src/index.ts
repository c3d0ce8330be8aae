/**
 * notion-stream as a library: `sync()` for a whole run (full or incremental), the stages it is built
 * from, the Notion client with its HTTP policy, and the errors. The emulator is exported separately as
 * `notion-stream/emulator`.
 */
export { sync } from './sync/sync.js';
export type { SyncOptions, SourceOptions, ShapeOptions, DestinationOptions, IncrementalOptions, WorkspaceFlags } from './sync/options.js';
export type { SyncSummary } from './sync/summary.js';
export { readStatus, type StatusOptions, type DestinationStatus, type TableStatus, type BookmarkStatus } from './sync/status.js';
export { withLineage, SYNCED_AT, RUN_ID, type Lineage } from './sync/lineage.js';
export type { Destination, WriteMode } from './sinks/destinations.js';
export type { TableSummary } from './sinks/types.js';
export { NotionApi, DEFAULT_BASE_URL, DEFAULT_RATE_LIMIT, type NotionApiOptions, type QueryArgs } from './notion/api.js';
export { RateLimiter } from './notion/rate-limiter.js';
export { NotionStreamError, isNotionStreamError, type ErrorCode } from './errors.js';
export { truncatedProperties, assembleProperty, completePage } from './notion/complete.js';
export type { NotionPage, NotionDataSource, PropertyValue, SchemaProperty, Json, JsonObject } from './notion/types.js';
export { listDataSources, createDataSourceLister, type ListOptions } from './stages/list-data-sources.js';
export { queryAllRows, readDataSourcePages, readPages, createPageReader, type PageReaderOptions, type PageStreamItem, type PageDeletion } from './stages/read-pages.js';
export { readChanges, type ChangeReaderOptions, type ChangeRead, type ChangeReport } from './stages/read-changes.js';
export { nextState, parseState, parseDuration, type SyncState, type DataSourceState, type PropertyLayout, type NextStateOptions, type ParseStateOptions } from './state/state.js';
export { IdSet } from './state/id-set.js';
export { createHeldIds } from './sinks/create-held-ids.js';
export type { HeldIds, HeldQuery } from './sinks/held-ids.js';
export { readStateFile, writeStateFile } from './state/file.js';
export { findTrashedPages, type TrashedPage, type FindTrashedOptions } from './stages/read-trashed.js';
export { listAllIds } from './stages/reconcile.js';
export { RunStats } from './util/stats.js';
export { capYoungGeneration, youngGenerationBytes, type YoungGenerationCapOptions } from './util/young-generation.js';
export type { Logger } from './util/log.js';
export { flattenStream, createFlattener, type FlattenStreamOptions, type DataSourcePlan } from './stages/flatten.js';
export { tableSpec, flattenPage, schemaMessage, specLayout, retypedProperties, DELETED_AT } from './core/flatten.js';
export { splitStream, createSplitter } from './stages/split.js';
export { toDuplex, type Stage } from './stages/stage.js';
export { splitSchema, splitRecord } from './core/split.js';
export { readSingerLines, readJsonLines } from './singer/read.js';
export type { SingerMessage, SchemaMessage, RecordMessage, StateMessage, ColumnSchema } from './singer/messages.js';
export { DuckDbSink, type DuckDbSinkOptions } from './sinks/duckdb/sink.js';
export { BigQuerySink, type BigQuerySinkOptions, type BigQuerySinkSummary } from './sinks/bigquery/sink.js';
export { createBigQueryClient } from './sinks/bigquery/client.js';
export { NdjsonSink } from './sinks/ndjson.js';
export { CsvSink } from './sinks/csv.js';
export { createSink } from './sinks/create.js';
export { STATE_TABLE, RUNS_TABLE, sinkStep, type SinkStep, type Sink, type SinkSummary, type RunRecord, type WriteOptions } from './sinks/types.js';
export { withWorkspaceTables, PageTap, type WorkspaceOptions } from './stages/workspace.js';
export { CatalogCollector, catalogTables } from './stages/catalog.js';
export { readUsers, usersTable } from './stages/read-users.js';
export { readPageBlocks, type PageBlocks, type BlockNode } from './stages/read-blocks.js';
export { contentTables, type ContentOptions } from './stages/read-content.js';
export { readComments, readPageComments, commentsTable, type CommentsOptions, type CommentTarget } from './stages/read-comments.js';
export { readStandalonePages, pagesTable } from './stages/read-standalone-pages.js';
export { renderMarkdown } from './core/markdown.js';
export * from './core/workspace-tables.js';
