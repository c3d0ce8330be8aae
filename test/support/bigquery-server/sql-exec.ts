/**
 * Running a query job's SQL for real in DuckDB: a statement or a script. Statements outside a
 * transaction commit one by one; `BEGIN TRANSACTION; ... COMMIT TRANSACTION;` commits all or nothing
 * (any error rolls back). BigQuery's rules are checked first: tables must exist (in the job's location),
 * a MERGE must match at most one source row per target row, DDL may not run inside a transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { BqError, duplicate, invalidQuery, notFound, unsupported } from './errors.js';
import { ident } from './duck.js';
import type { Catalog } from './catalog.js';
import { lex, splitStatements } from './sql-lexer.js';
import { translateStatement, type StatementKind, type Translated } from './sql-translate.js';
import { FIELD_NAME, fieldFromDuck } from './schema.js';
import type { Field, Row } from './types.js';
import { fromDuck } from './values.js';

export interface QueryInput {
  sql: string;
  location: string;
  defaultDataset?: string;
  named: Map<string, string>;
  positional: string[];
}

export interface QueryOutput {
  statementType: string;
  /** The last SELECT's result. */
  result?: { schema: Field[]; rows: Row[] };
  numDmlAffectedRows?: number;
}

const DML = new Set<StatementKind>(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE_TABLE']);
const DDL = new Set<StatementKind>(['CREATE_TABLE', 'CREATE_TABLE_AS_SELECT', 'DROP_TABLE', 'ALTER_TABLE']);
const DDL_NAMES: Record<string, string> = {
  CREATE_TABLE: 'CREATE TABLE',
  CREATE_TABLE_AS_SELECT: 'CREATE TABLE',
  DROP_TABLE: 'DROP TABLE',
  ALTER_TABLE: 'ALTER TABLE',
};

export async function runQuery(c: DuckDBConnection, catalog: Catalog, q: QueryInput): Promise<QueryOutput> {
  const statements = splitStatements(lex(q.sql));
  if (statements.length === 0) throw invalidQuery('Syntax error: Unexpected end of script at [1:1]');
  // Parse (translate) the whole script first: a syntax error anywhere runs nothing.
  const tempTables = new Set<string>();
  const translated: Translated[] = statements.map((tokens) => {
    const tr = translateStatement(tokens, { projectId: catalog.projectId, defaultDataset: q.defaultDataset, named: q.named, positional: q.positional, tempTables, sql: q.sql });
    if (tr.kind === 'CREATE_TEMP_TABLE' && tr.tempTable) tempTables.add(tr.tempTable);
    return tr;
  });
  const script = translated.length > 1;
  const liveTemps = new Set<string>();
  let inTransaction = false;
  let output: QueryOutput = { statementType: script ? 'SCRIPT' : translated[0]!.kind };
  try {
    for (const tr of translated) {
      try {
        if (tr.kind === 'BEGIN') {
          if (!script) throw invalidQuery('Transaction control statements are supported only in scripts or sessions');
          if (inTransaction) throw invalidQuery('Nested transactions are not supported');
          await c.run('BEGIN TRANSACTION');
          inTransaction = true;
          continue;
        }
        if (tr.kind === 'COMMIT' || tr.kind === 'ROLLBACK') {
          if (!inTransaction) throw invalidQuery(`${tr.kind} TRANSACTION without an active transaction`);
          await c.run(tr.kind);
          inTransaction = false;
          continue;
        }
        if (inTransaction && DDL.has(tr.kind) && !tr.tempTable) {
          throw invalidQuery(`${DDL_NAMES[tr.kind]} statement is not supported inside a transaction`);
        }
        const out = await runStatement(c, catalog, q, tr);
        if (tr.kind === 'CREATE_TEMP_TABLE' && tr.tempTable) liveTemps.add(tr.tempTable);
        if (out.result) output = { ...output, result: out.result };
        if (!script && out.numDmlAffectedRows !== undefined) output.numDmlAffectedRows = out.numDmlAffectedRows;
      } catch (e) {
        if (inTransaction) {
          await c.run('ROLLBACK');
          inTransaction = false;
        }
        throw mapError(e, q.location);
      }
    }
    if (inTransaction) {
      await c.run('ROLLBACK');
      inTransaction = false;
      throw invalidQuery('Transaction is still active at the end of the script; it was rolled back');
    }
  } finally {
    for (const t of liveTemps) await c.run(`DROP TABLE IF EXISTS temp.main.${ident(t)}`).catch(() => undefined);
  }
  return output;
}

async function runStatement(c: DuckDBConnection, catalog: Catalog, q: QueryInput, tr: Translated): Promise<Omit<QueryOutput, 'statementType'>> {
  for (const r of tr.reads) catalog.requireTable(r.datasetId, r.tableId, q.location);
  const target = tr.target;
  if (target && !tr.tempTable) {
    const exists = catalog.table(target.datasetId, target.tableId) !== undefined;
    if (tr.kind === 'MERGE') catalog.requireTable(target.datasetId, target.tableId, q.location);
    if (tr.kind === 'CREATE_TABLE' || tr.kind === 'CREATE_TABLE_AS_SELECT') {
      catalog.requireDataset(target.datasetId, q.location);
      if (exists && !tr.orReplace && !tr.ifNotExists) throw duplicate(`Table ${catalog.tableName(target.datasetId, target.tableId)}`);
      if (!exists && catalog.tableIds(target.datasetId).some((t) => t.toLowerCase() === target.tableId.toLowerCase())) {
        throw unsupported('Tables whose names differ only in case');
      }
    }
    if ((tr.kind === 'DROP_TABLE' || tr.kind === 'ALTER_TABLE') && !exists) {
      if (tr.ifExists) return {};
      catalog.requireTable(target.datasetId, target.tableId, q.location);
    }
    if ((tr.kind === 'DROP_TABLE' || tr.kind === 'ALTER_TABLE') && catalog.table(target.datasetId, target.tableId)?.schema.length === 0) {
      throw unsupported(`${tr.kind} on a table without a schema`);
    }
  }
  if (tr.mergeCheck) {
    const dup = await c.runAndReadAll(tr.mergeCheck);
    if (dup.currentRowCount > 0) throw invalidQuery('UPDATE/MERGE must match at most one source row for each target row');
  }
  let out: Omit<QueryOutput, 'statementType'> = {};
  for (const sql of tr.sql) {
    if (tr.kind === 'SELECT') {
      const r = await c.runAndReadAll(sql);
      const names = r.columnNames();
      const seen = new Set<string>();
      const schema = names.map((n, i) => {
        const name = FIELD_NAME.test(n) ? n : `f${i}_`;
        if (seen.has(name.toLowerCase())) throw invalidQuery(`Duplicate column names in the result are not supported. Found duplicate(s): ${name}`);
        seen.add(name.toLowerCase());
        return fieldFromDuck(name, r.columnTypes()[i]!);
      });
      const rows = r.getRows().map((row) => schema.map((f, i) => fromDuck(f, row[i] ?? null)));
      out = { result: { schema, rows } };
    } else {
      const r = await c.run(sql);
      if (DML.has(tr.kind)) out = { numDmlAffectedRows: (out.numDmlAffectedRows ?? 0) + r.rowsChanged };
    }
  }
  if (DDL.has(tr.kind) && !tr.tempTable) {
    await catalog.resync(c);
    if (target && tr.descriptions && tr.descriptions.size > 0) {
      const meta = catalog.table(target.datasetId, target.tableId);
      for (const f of meta?.schema ?? []) {
        const d = [...tr.descriptions].find(([k]) => k.toLowerCase() === f.name.toLowerCase());
        if (d) f.description = d[1];
      }
    }
  }
  return out;
}

function mapError(e: unknown, location: string): BqError {
  if (e instanceof BqError) return e;
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  let m = /Referenced column "?([^"\s]+)"? not found/.exec(message);
  if (m) return invalidQuery(`Unrecognized name: ${m[1]}`);
  m = /NOT NULL constraint failed: ([^.\s]+)\.(\S+)/.exec(message);
  if (m) return new BqError(400, 'invalidQuery', `Required field ${m[2]} cannot be null`, 'query');
  m = /Table with name (\S+) does not exist/.exec(message);
  if (m) return notFound(`Table ${m[1]} was not found in location ${location}`);
  return invalidQuery(`Query error: ${message}`);
}

/** A query parameter (REST QueryParameter) as a DuckDB literal. */
export function parameterLiteral(type: unknown, value: unknown): string {
  const t = (type ?? {}) as { type?: string; arrayType?: unknown };
  const v = (value ?? {}) as { value?: unknown; arrayValues?: unknown[] };
  const name = String(t.type ?? 'STRING').toUpperCase();
  if (name === 'ARRAY') {
    const items = (v.arrayValues ?? []).map((x) => parameterLiteral(t.arrayType, x));
    return `[${items.join(', ')}]`;
  }
  const duck: Record<string, string> = {
    STRING: 'VARCHAR',
    INT64: 'BIGINT',
    INTEGER: 'BIGINT',
    FLOAT64: 'DOUBLE',
    FLOAT: 'DOUBLE',
    NUMERIC: 'DECIMAL(38,9)',
    BOOL: 'BOOLEAN',
    BOOLEAN: 'BOOLEAN',
    TIMESTAMP: 'TIMESTAMPTZ',
    DATETIME: 'TIMESTAMP',
    DATE: 'DATE',
    TIME: 'TIME',
    JSON: 'JSON',
    BYTES: 'BLOB',
  };
  const target = duck[name];
  if (!target) throw unsupported(`Query parameters of type ${name}`);
  if (v.value === undefined || v.value === null) return `CAST(NULL AS ${target})`;
  const text = String(v.value);
  if (name === 'BYTES') return `from_base64('${text.replace(/'/g, "''")}')`;
  return `CAST('${text.replace(/'/g, "''")}' AS ${target})`;
}
