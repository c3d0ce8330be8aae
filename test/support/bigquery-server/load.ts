/**
 * Load jobs (configuration.load, data from a multipart upload): request-level validation of the
 * configuration, and the job's run: plan the write, validate every NDJSON row, stage, commit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { BqError, invalid, notFound, unsupported } from './errors.js';
import type { Catalog } from './catalog.js';
import { parseNdjson } from './ndjson.js';
import { parseSchema } from './schema.js';
import type { ErrorProto, Field } from './types.js';
import { CREATE_DISPOSITIONS, WRITE_DISPOSITIONS, appendRows, commitStaged, createStage, dropStage, planWrite } from './write.js';

export interface LoadConfig {
  datasetId: string;
  tableId: string;
  writeDisposition: string;
  createDisposition: string;
  schemaUpdateOptions: string[];
  rawSchema: unknown;
  maxBadRecords: number;
  ignoreUnknownValues: boolean;
}

export interface JobOutput {
  errorResult?: ErrorProto;
  errors?: ErrorProto[];
  outputRows?: number;
  badRecords?: number;
}

function enumValue(value: unknown, allowed: readonly string[], field: string, dflt: string): string {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalid(`Invalid value for ${field}: ${String(value)} is not a valid value`);
  return value;
}

/** Checks configuration.load as jobs.insert does (malformed → 400, no job). */
export function parseLoadConfig(raw: unknown, projectId: string): LoadConfig {
  if (typeof raw !== 'object' || raw === null) throw invalid('Job configuration must contain exactly one job-specific configuration object (e.g., query, load, extract, spreadsheetExtract), but there were 0');
  const cfg = raw as Record<string, unknown>;
  const dest = cfg.destinationTable as Record<string, unknown> | undefined;
  if (!dest || typeof dest.datasetId !== 'string' || typeof dest.tableId !== 'string') throw invalid('Required parameter is missing: destinationTable');
  if (dest.projectId !== undefined && dest.projectId !== projectId) throw notFound(`Project ${String(dest.projectId)}`);
  const format = cfg.sourceFormat ?? 'CSV';
  if (format !== 'NEWLINE_DELIMITED_JSON') throw unsupported(`sourceFormat ${String(format)}`);
  if (cfg.sourceUris !== undefined) throw unsupported('Loading from sourceUris');
  if (cfg.autodetect === true) throw unsupported('Schema autodetection');
  const options = cfg.schemaUpdateOptions ?? [];
  if (!Array.isArray(options) || options.some((o) => o !== 'ALLOW_FIELD_ADDITION' && o !== 'ALLOW_FIELD_RELAXATION')) {
    throw invalid(`Invalid value for schemaUpdateOptions: ${JSON.stringify(options)}`);
  }
  const maxBad = cfg.maxBadRecords === undefined ? 0 : Number(cfg.maxBadRecords);
  if (!Number.isInteger(maxBad) || maxBad < 0) throw invalid(`Invalid value for maxBadRecords: ${String(cfg.maxBadRecords)}`);
  return {
    datasetId: dest.datasetId,
    tableId: dest.tableId,
    writeDisposition: enumValue(cfg.writeDisposition, WRITE_DISPOSITIONS, 'writeDisposition', 'WRITE_APPEND'),
    createDisposition: enumValue(cfg.createDisposition, CREATE_DISPOSITIONS, 'createDisposition', 'CREATE_IF_NEEDED'),
    schemaUpdateOptions: options as string[],
    rawSchema: cfg.schema,
    maxBadRecords: maxBad,
    ignoreUnknownValues: cfg.ignoreUnknownValues === true,
  };
}

export async function runLoad(c: DuckDBConnection, catalog: Catalog, cfg: LoadConfig, location: string, media: Buffer): Promise<JobOutput> {
  let schema: Field[] | undefined;
  if (cfg.rawSchema !== undefined) {
    schema = parseSchema(cfg.rawSchema, cfg.tableId);
    if (schema.length === 0) schema = undefined;
  }
  const plan = await planWrite(c, catalog, {
    datasetId: cfg.datasetId,
    tableId: cfg.tableId,
    location,
    writeDisposition: cfg.writeDisposition,
    createDisposition: cfg.createDisposition,
    allowFieldAddition: cfg.schemaUpdateOptions.includes('ALLOW_FIELD_ADDITION'),
    allowFieldRelaxation: cfg.schemaUpdateOptions.includes('ALLOW_FIELD_RELAXATION'),
    schema,
  });
  const parsed = parseNdjson(media, plan.schema, { ignoreUnknownValues: cfg.ignoreUnknownValues, maxBadRecords: cfg.maxBadRecords });
  if (parsed.errors) {
    return { errorResult: parsed.errors[0]!, errors: parsed.errors.slice(1), outputRows: 0, badRecords: parsed.badRecords };
  }
  const stage = await createStage(c, plan.schema);
  try {
    await appendRows(c, stage, plan.schema, parsed.rows);
    await commitStaged(c, catalog, plan, stage);
  } finally {
    await dropStage(c, stage);
  }
  return { outputRows: parsed.rows.length, badRecords: parsed.badRecords };
}

export function jobErrorOutput(e: BqError): JobOutput {
  return { errorResult: e.proto, errors: e.errors };
}
