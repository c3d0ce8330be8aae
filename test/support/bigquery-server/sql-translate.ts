/**
 * Translation of one BigQuery GoogleSQL statement into DuckDB SQL: table paths (`` `p.d.t` ``,
 * `` `p`.`d`.`t` ``, `d.t`, `t` with a default dataset) become `"d"."t"`, string literals in any
 * quoting become '...', BigQuery types and a few functions become DuckDB's, and BigQuery's statement
 * forms (`MERGE t`, `DELETE t`, `INSERT t`) get their DuckDB spelling. It also reports which tables the
 * statement reads and writes, and for MERGE the query that detects several source rows per target row.
 */
import { invalidQuery, notFound, unsupported } from './errors.js';
import { ident, str } from './duck.js';
import { syntax, type Token } from './sql-lexer.js';

export type StatementKind =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'TRUNCATE_TABLE'
  | 'CREATE_TABLE'
  | 'CREATE_TABLE_AS_SELECT'
  | 'CREATE_TEMP_TABLE'
  | 'DROP_TABLE'
  | 'ALTER_TABLE'
  | 'BEGIN'
  | 'COMMIT'
  | 'ROLLBACK';

export interface TableName {
  datasetId: string;
  tableId: string;
}

export interface Translated {
  kind: StatementKind;
  /** DuckDB statements, run in order. */
  sql: string[];
  /** Tables that must exist (read, or written by DML/TRUNCATE/ALTER). */
  reads: TableName[];
  /** The table written (DML, TRUNCATE, DDL). */
  target?: TableName;
  ifExists?: boolean;
  ifNotExists?: boolean;
  orReplace?: boolean;
  /** A query returning a row when some target row matches more than one source row. */
  mergeCheck?: string;
  /** Temp table created or dropped. */
  tempTable?: string;
  /** Column descriptions from `OPTIONS(description=...)` in CREATE TABLE. */
  descriptions?: Map<string, string>;
}

export interface TranslateContext {
  projectId: string;
  defaultDataset?: string;
  named: Map<string, string>;
  positional: string[];
  tempTables: Set<string>;
  sql: string;
}

const TYPE_MAP: Record<string, string> = {
  INT64: 'BIGINT',
  INT: 'BIGINT',
  INTEGER: 'BIGINT',
  SMALLINT: 'BIGINT',
  BIGINT: 'BIGINT',
  TINYINT: 'BIGINT',
  BYTEINT: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  NUMERIC: 'DECIMAL(38,9)',
  DECIMAL: 'DECIMAL(38,9)',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATETIME: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  JSON: 'JSON',
};

/** Functions whose DuckDB form differs: name → DuckDB text built from the translated arguments. */
const FUNCTIONS: Record<string, (args: string[]) => string> = {
  CURRENT_TIMESTAMP: () => 'current_timestamp',
  CURRENT_DATE: () => 'current_date',
  CURRENT_DATETIME: () => 'CAST(current_timestamp AS TIMESTAMP)',
  GENERATE_UUID: () => 'CAST(gen_random_uuid() AS VARCHAR)',
  TO_JSON_STRING: (a) => `CAST(to_json(${a[0]}) AS VARCHAR)`,
  TO_JSON: (a) => `to_json(${a[0]})`,
  PARSE_JSON: (a) => `CAST(${a[0]} AS JSON)`,
  JSON_VALUE: (a) => `json_extract_string(${a[0]}, ${a[1] ?? "'$'"})`,
  JSON_EXTRACT_SCALAR: (a) => `json_extract_string(${a[0]}, ${a[1] ?? "'$'"})`,
  JSON_QUERY: (a) => `json_extract(${a[0]}, ${a[1] ?? "'$'"})`,
  JSON_EXTRACT: (a) => `json_extract(${a[0]}, ${a[1] ?? "'$'"})`,
  ARRAY_LENGTH: (a) => `len(${a[0]})`,
  CONCAT: (a) => `(${a.join(' || ')})`,
  // arr[OFFSET(i)] (0-based) and arr[ORDINAL(i)] (1-based): DuckDB lists are 1-based.
  OFFSET: (a) => `(${a[0]}) + 1`,
  SAFE_OFFSET: (a) => `(${a[0]}) + 1`,
  ORDINAL: (a) => `${a[0]}`,
  SAFE_ORDINAL: (a) => `${a[0]}`,
  GENERATE_ARRAY: (a) => `generate_series(${a.join(', ')})`,
  TIMESTAMP_MICROS: (a) => `make_timestamptz(CAST(${a[0]} AS BIGINT))`,
  TIMESTAMP_MILLIS: (a) => `make_timestamptz(CAST(${a[0]} AS BIGINT) * 1000)`,
  TIMESTAMP_SECONDS: (a) => `make_timestamptz(CAST(${a[0]} AS BIGINT) * 1000000)`,
  UNIX_MICROS: (a) => `epoch_us(${a[0]})`,
  UNIX_MILLIS: (a) => `epoch_ms(${a[0]})`,
  UNIX_SECONDS: (a) => `CAST(epoch(${a[0]}) AS BIGINT)`,
  TIMESTAMP: (a) => `CAST(${a[0]} AS TIMESTAMPTZ)`,
  DATETIME: (a) => (a.length === 1 ? `CAST(${a[0]} AS TIMESTAMP)` : `make_timestamp(${a.join(', ')})`),
  DATE: (a) => (a.length === 1 ? `CAST(${a[0]} AS DATE)` : `make_date(${a.join(', ')})`),
  COUNTIF: (a) => `count_if(${a[0]})`,
  LOGICAL_AND: (a) => `bool_and(${a[0]})`,
  LOGICAL_OR: (a) => `bool_or(${a[0]})`,
  FORMAT_TIMESTAMP: (a) => `strftime(${a[1]}, ${a[0]})`,
  STARTS_WITH: (a) => `starts_with(${a[0]}, ${a[1]})`,
  ENDS_WITH: (a) => `suffix(${a[0]}, ${a[1]})`,
  BYTE_LENGTH: (a) => `octet_length(CAST(${a[0]} AS BLOB))`,
  CHAR_LENGTH: (a) => `length(${a[0]})`,
};

const NO_TABLES_IN = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'OVERLAY', 'POSITION']);
/** Words that end a FROM item's alias position. */
const CLAUSE_WORDS = new Set([
  'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT', 'JOIN', 'INNER', 'LEFT',
  'RIGHT', 'FULL', 'CROSS', 'ON', 'USING', 'WHEN', 'SET', 'VALUES', 'SELECT', 'FROM', 'AS', 'WITH', 'ROW', 'INTO', 'TABLE',
  'IF', 'OFFSET', 'FOR', 'TABLESAMPLE', 'PIVOT', 'UNPIVOT', 'NATURAL', 'LATERAL', 'BY',
]);

type Expect = null | 'from' | 'target';

export function translateStatement(all: Token[], ctx: TranslateContext): Translated {
  return new Translator(all, ctx).statement();
}

class Translator {
  private readonly t: Token[];
  private readonly match: number[];
  private readonly ctes = new Set<string>();
  private readonly reads: TableName[] = [];
  private positionalIndex = 0;

  constructor(all: Token[], private readonly ctx: TranslateContext) {
    this.t = all.filter((x) => x.kind !== 'ws');
    this.match = new Array<number>(this.t.length).fill(-1);
    const stack: number[] = [];
    this.t.forEach((tok, i) => {
      if (tok.kind !== 'op') return;
      if (tok.text === '(' || tok.text === '[') stack.push(i);
      else if (tok.text === ')' || tok.text === ']') {
        const open = stack.pop();
        if (open === undefined) throw syntax(ctx.sql, tok.pos, `Unexpected "${tok.text}"`);
        this.match[open] = i;
        this.match[i] = open;
      }
    });
    if (stack.length > 0) throw syntax(ctx.sql, this.t[stack[0]!]!.pos, 'Unclosed parenthesis');
    for (let i = 1; i + 2 < this.t.length; i++) {
      const prev = this.t[i - 1]!;
      if ((this.kw(i - 1, 'WITH') || this.kw(i - 1, 'RECURSIVE') || prev.text === ',') && this.isName(i) && this.kw(i + 1, 'AS') && this.t[i + 2]!.text === '(') {
        this.ctes.add(this.t[i]!.value.toLowerCase());
      }
    }
  }

  // ---- token helpers ----
  private kw(i: number, word: string): boolean {
    const x = this.t[i];
    return x !== undefined && x.kind === 'ident' && x.upper === word;
  }
  private isName(i: number): boolean {
    const x = this.t[i];
    return x !== undefined && (x.kind === 'ident' || x.kind === 'qident');
  }
  private op(i: number, text: string): boolean {
    const x = this.t[i];
    return x !== undefined && x.kind === 'op' && x.text === text;
  }
  private fail(i: number, message: string): never {
    throw syntax(this.ctx.sql, this.t[i]?.pos ?? this.ctx.sql.length, message);
  }
  /** Index of the first top-level keyword `word` in [a, b), or -1. */
  private findTop(a: number, b: number, word: string): number {
    for (let i = a; i < b; i++) {
      if (this.kw(i, word)) return i;
      if (this.match[i]! > i) i = this.match[i]!;
    }
    return -1;
  }

  // ---- statements ----
  statement(): Translated {
    const n = this.t.length;
    const first = this.t[0];
    if (!first) this.fail(0, 'Empty statement');
    const w = first.kind === 'ident' ? first.upper : first.text;
    switch (w) {
      case 'SELECT':
      case 'WITH':
      case '(':
        return this.done('SELECT', [this.range(0, n)]);
      case 'BEGIN':
        if (n === 1 || (n === 2 && this.kw(1, 'TRANSACTION'))) return this.done('BEGIN', []);
        throw unsupported('BEGIN ... END blocks');
      case 'START':
        if (this.kw(1, 'TRANSACTION') && n === 2) return this.done('BEGIN', []);
        break;
      case 'COMMIT':
        if (n === 1 || (n === 2 && this.kw(1, 'TRANSACTION'))) return this.done('COMMIT', []);
        break;
      case 'ROLLBACK':
        if (n === 1 || (n === 2 && this.kw(1, 'TRANSACTION'))) return this.done('ROLLBACK', []);
        break;
      case 'INSERT':
        return this.insert();
      case 'UPDATE': {
        if (this.findTop(1, n, 'WHERE') < 0) throw invalidQuery('UPDATE must have a WHERE clause');
        return this.dml('UPDATE', this.range(0, n));
      }
      case 'DELETE': {
        if (this.findTop(1, n, 'WHERE') < 0) throw invalidQuery('DELETE must have a WHERE clause');
        const sql = this.kw(1, 'FROM') ? this.range(0, n) : `DELETE FROM ${this.range(1, n, 'target')}`;
        return this.dml('DELETE', sql);
      }
      case 'MERGE':
        return this.merge();
      case 'TRUNCATE': {
        if (!this.kw(1, 'TABLE')) this.fail(1, 'Expected keyword TABLE');
        return this.dml('TRUNCATE_TABLE', this.range(0, n));
      }
      case 'CREATE':
        return this.create();
      case 'DROP':
        return this.drop();
      case 'ALTER':
        return this.alter();
      case 'DECLARE':
      case 'SET':
      case 'IF':
      case 'LOOP':
      case 'WHILE':
      case 'CALL':
      case 'EXECUTE':
        throw unsupported(`Scripting statement ${w}`);
    }
    throw invalidQuery(`Syntax error: Unexpected keyword ${w} at [1:1]`);
  }

  private done(kind: StatementKind, sql: string[], extra: Partial<Translated> = {}): Translated {
    return { kind, sql, reads: this.reads, ...extra };
  }

  private dml(kind: StatementKind, sql: string): Translated {
    return this.done(kind, [sql]);
  }

  private insert(): Translated {
    const n = this.t.length;
    const body = this.kw(1, 'INTO') ? this.range(2, n, 'target') : this.range(1, n, 'target');
    return this.dml('INSERT', `INSERT INTO ${body}`);
  }

  private merge(): Translated {
    const n = this.t.length;
    let i = this.kw(1, 'INTO') ? 2 : 1;
    const targetEnd = this.pathEnd(i);
    if (targetEnd === i) this.fail(i, 'Expected a table name after MERGE');
    const target = this.resolveTable(i, targetEnd);
    this.reads.push(target);
    const targetSql = `${ident(target.datasetId)}.${ident(target.tableId)}`;
    i = targetEnd;
    if (this.kw(i, 'AS')) i++;
    let targetAlias = ident(target.tableId);
    if (this.isName(i) && !this.kw(i, 'USING')) targetAlias = ident(this.t[i++]!.value);
    if (!this.kw(i, 'USING')) this.fail(i, 'Expected keyword USING');
    i++;
    let sourceSql: string;
    let sourceAlias: string;
    if (this.op(i, '(')) {
      const close = this.match[i]!;
      sourceSql = `(${this.range(i + 1, close)})`;
      sourceAlias = '"__bq_merge_source"';
      i = close + 1;
    } else {
      const end = this.pathEnd(i);
      if (end === i) this.fail(i, 'Expected a table or subquery after USING');
      sourceSql = this.tablePath(i, end);
      sourceAlias = ident(this.pathParts(i, end).at(-1)!);
      i = end;
    }
    if (this.kw(i, 'AS')) i++;
    if (this.isName(i) && !this.kw(i, 'ON')) sourceAlias = ident(this.t[i++]!.value);
    if (!this.kw(i, 'ON')) this.fail(i, 'Expected keyword ON');
    const whenAt = this.findTop(i + 1, n, 'WHEN');
    if (whenAt < 0) this.fail(n, 'Expected keyword WHEN');
    const cond = this.range(i + 1, whenAt);
    let clauses = this.range(whenAt, n);
    clauses = clauses.replace(/\bINSERT\s+ROW\b/gi, 'INSERT *');
    const sql = `MERGE INTO ${targetSql} AS ${targetAlias} USING ${sourceSql} AS ${sourceAlias} ON ${cond} ${clauses}`;
    let hasMatched = false;
    for (let k = whenAt; k < n; k++) if (this.kw(k, 'WHEN') && this.kw(k + 1, 'MATCHED')) hasMatched = true;
    const mergeCheck = hasMatched
      ? `SELECT 1 FROM ${targetSql} AS ${targetAlias} JOIN ${sourceSql} AS ${sourceAlias} ON ${cond} GROUP BY ${targetAlias}.rowid HAVING count(*) > 1 LIMIT 1`
      : undefined;
    return this.done('MERGE', [sql], { target, ...(mergeCheck ? { mergeCheck } : {}) });
  }

  private create(): Translated {
    const n = this.t.length;
    let i = 1;
    let orReplace = false;
    if (this.kw(i, 'OR') && this.kw(i + 1, 'REPLACE')) {
      orReplace = true;
      i += 2;
    }
    const temp = this.kw(i, 'TEMP') || this.kw(i, 'TEMPORARY');
    if (temp) i++;
    if (!this.kw(i, 'TABLE')) throw unsupported(`CREATE ${this.t[i]?.text ?? ''}`);
    i++;
    let ifNotExists = false;
    if (this.kw(i, 'IF') && this.kw(i + 1, 'NOT') && this.kw(i + 2, 'EXISTS')) {
      ifNotExists = true;
      i += 3;
    }
    const end = this.pathEnd(i);
    if (end === i) this.fail(i, 'Expected a table name');
    let name: string;
    let target: TableName | undefined;
    if (temp) {
      const parts = this.pathParts(i, end);
      if (parts.length !== 1) throw invalidQuery('Temporary table names must not be qualified with a dataset');
      name = ident(parts[0]!);
    } else {
      target = this.resolveTable(i, end);
      name = `${ident(target.datasetId)}.${ident(target.tableId)}`;
    }
    i = end;
    const head = `CREATE ${orReplace ? 'OR REPLACE ' : ''}${temp ? 'TEMP ' : ''}TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${name}`;
    let columns = '';
    const descriptions = new Map<string, string>();
    if (this.op(i, '(')) {
      const close = this.match[i]!;
      columns = ` (${this.columnDefs(i + 1, close, descriptions)})`;
      i = close + 1;
    }
    // Table options, partitioning and clustering change nothing the test server models.
    while (i < n && !this.kw(i, 'AS')) {
      if (this.kw(i, 'OPTIONS') || this.kw(i, 'PARTITION') || this.kw(i, 'CLUSTER')) {
        i++;
        while (i < n && !this.kw(i, 'AS') && !this.kw(i, 'OPTIONS') && !this.kw(i, 'CLUSTER') && !this.kw(i, 'PARTITION')) i = this.match[i]! > i ? this.match[i]! + 1 : i + 1;
      } else this.fail(i, `Unexpected ${this.t[i]!.text}`);
    }
    const asSelect = this.kw(i, 'AS') ? ` AS ${this.range(i + 1, n)}` : '';
    if (!columns && !asSelect) this.fail(i, 'Expected column definitions or AS SELECT');
    const sql = `${head}${columns}${asSelect}`;
    const kind: StatementKind = temp ? 'CREATE_TEMP_TABLE' : asSelect ? 'CREATE_TABLE_AS_SELECT' : 'CREATE_TABLE';
    return this.done(kind, [sql], {
      ...(target ? { target } : {}),
      ...(temp ? { tempTable: this.pathParts(end - 1, end)[0]!.toLowerCase() } : {}),
      orReplace,
      ifNotExists,
      descriptions,
    });
  }

  private columnDefs(a: number, b: number, descriptions: Map<string, string>): string {
    const defs: string[] = [];
    let i = a;
    while (i < b) {
      if (!this.isName(i)) this.fail(i, 'Expected a column name');
      const name = this.t[i]!.value;
      const ty = this.type(i + 1);
      let def = `${ident(name)} ${ty.sql}`;
      i = ty.end;
      while (i < b && !this.op(i, ',')) {
        if (this.kw(i, 'NOT') && this.kw(i + 1, 'NULL')) {
          def += ' NOT NULL';
          i += 2;
        } else if (this.kw(i, 'OPTIONS') && this.op(i + 1, '(')) {
          const close = this.match[i + 1]!;
          for (let k = i + 2; k < close; k++) {
            if (this.kw(k, 'description') || this.t[k]!.upper === 'DESCRIPTION') {
              const v = this.t[k + 2];
              if (this.op(k + 1, '=') && v && v.kind === 'string') descriptions.set(name, v.value);
            }
          }
          i = close + 1;
        } else if (this.kw(i, 'DEFAULT')) {
          throw unsupported('Column DEFAULT values');
        } else this.fail(i, `Unexpected ${this.t[i]!.text} in a column definition`);
      }
      defs.push(def);
      i++;
    }
    return defs.join(', ');
  }

  private drop(): Translated {
    const n = this.t.length;
    let i = 1;
    const temp = this.kw(i, 'TEMP') || this.kw(i, 'TEMPORARY');
    if (temp) i++;
    if (!this.kw(i, 'TABLE')) throw unsupported(`DROP ${this.t[i]?.text ?? ''}`);
    i++;
    let ifExists = false;
    if (this.kw(i, 'IF') && this.kw(i + 1, 'EXISTS')) {
      ifExists = true;
      i += 2;
    }
    const end = this.pathEnd(i);
    if (end === i || end !== n) this.fail(i, 'Expected a table name');
    const parts = this.pathParts(i, end);
    if (parts.length === 1 && this.ctx.tempTables.has(parts[0]!.toLowerCase())) {
      return this.done('DROP_TABLE', [`DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${ident(parts[0]!)}`], { tempTable: parts[0]!.toLowerCase(), ifExists });
    }
    const target = this.resolveTable(i, end);
    return this.done('DROP_TABLE', [`DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${ident(target.datasetId)}.${ident(target.tableId)}`], { target, ifExists });
  }

  private alter(): Translated {
    const n = this.t.length;
    if (!this.kw(1, 'TABLE')) throw unsupported(`ALTER ${this.t[1]?.text ?? ''}`);
    let i = 2;
    let ifExists = false;
    if (this.kw(i, 'IF') && this.kw(i + 1, 'EXISTS')) {
      ifExists = true;
      i += 2;
    }
    const end = this.pathEnd(i);
    if (end === i) this.fail(i, 'Expected a table name');
    const target = this.resolveTable(i, end);
    const name = `${ident(target.datasetId)}.${ident(target.tableId)}`;
    i = end;
    const sql: string[] = [];
    while (i < n) {
      if (this.kw(i, 'ADD') && this.kw(i + 1, 'COLUMN')) {
        i += 2;
        let ine = false;
        if (this.kw(i, 'IF') && this.kw(i + 1, 'NOT') && this.kw(i + 2, 'EXISTS')) {
          ine = true;
          i += 3;
        }
        if (!this.isName(i)) this.fail(i, 'Expected a column name');
        const col = this.t[i]!.value;
        const ty = this.type(i + 1);
        i = ty.end;
        if (this.kw(i, 'NOT') && this.kw(i + 1, 'NULL')) throw invalidQuery(`Cannot add a REQUIRED column ${col} to an existing table`);
        if (this.kw(i, 'OPTIONS') && this.op(i + 1, '(')) i = this.match[i + 1]! + 1;
        sql.push(`ALTER TABLE ${name} ADD COLUMN ${ine ? 'IF NOT EXISTS ' : ''}${ident(col)} ${ty.sql}`);
      } else if (this.kw(i, 'DROP') && this.kw(i + 1, 'COLUMN')) {
        i += 2;
        let ie = false;
        if (this.kw(i, 'IF') && this.kw(i + 1, 'EXISTS')) {
          ie = true;
          i += 2;
        }
        if (!this.isName(i)) this.fail(i, 'Expected a column name');
        sql.push(`ALTER TABLE ${name} DROP COLUMN ${ie ? 'IF EXISTS ' : ''}${ident(this.t[i]!.value)}`);
        i++;
      } else if (this.kw(i, 'ALTER') && this.kw(i + 1, 'COLUMN') && this.isName(i + 2) && this.kw(i + 3, 'DROP') && this.kw(i + 4, 'NOT') && this.kw(i + 5, 'NULL')) {
        sql.push(`ALTER TABLE ${name} ALTER COLUMN ${ident(this.t[i + 2]!.value)} DROP NOT NULL`);
        i += 6;
      } else if (this.kw(i, 'RENAME') && this.kw(i + 1, 'TO') && this.isName(i + 2)) {
        sql.push(`ALTER TABLE ${name} RENAME TO ${ident(this.t[i + 2]!.value)}`);
        i += 3;
      } else if (this.kw(i, 'SET') && this.kw(i + 1, 'OPTIONS') && this.op(i + 2, '(')) {
        i = this.match[i + 2]! + 1;
      } else throw unsupported(`ALTER TABLE ${this.t[i]?.text ?? ''}`);
      if (this.op(i, ',')) i++;
    }
    return this.done('ALTER_TABLE', sql, { target, ifExists });
  }

  // ---- types ----

  /** A BigQuery type starting at token i → its DuckDB spelling and the index after it. */
  private type(i: number): { sql: string; end: number } {
    const tok = this.t[i];
    if (!tok || tok.kind !== 'ident') this.fail(i, 'Expected a type');
    const name = tok.upper;
    if (name === 'ARRAY' && this.op(i + 1, '<')) {
      const inner = this.type(i + 2);
      if (!this.op(inner.end, '>')) this.fail(inner.end, 'Expected ">"');
      return { sql: `${inner.sql}[]`, end: inner.end + 1 };
    }
    if (name === 'STRUCT' && this.op(i + 1, '<')) {
      const members: string[] = [];
      let k = i + 2;
      for (;;) {
        if (!this.isName(k)) this.fail(k, 'Expected a field name');
        const field = this.t[k]!.value;
        const ty = this.type(k + 1);
        members.push(`${ident(field)} ${ty.sql}`);
        k = ty.end;
        if (this.op(k, ',')) k++;
        else if (this.op(k, '>')) return { sql: `STRUCT(${members.join(', ')})`, end: k + 1 };
        else if (this.op(k, '>>')) this.fail(k, 'Write nested closing brackets as "> >"');
        else this.fail(k, 'Expected "," or ">"');
      }
    }
    const mapped = TYPE_MAP[name];
    if (!mapped) {
      if (['BIGNUMERIC', 'BIGDECIMAL', 'GEOGRAPHY', 'INTERVAL', 'RANGE'].includes(name)) throw unsupported(`Type ${name}`);
      this.fail(i, `Unknown type ${tok.text}`);
    }
    let end = i + 1;
    if (this.op(end, '(')) end = this.match[end]! + 1; // STRING(10), NUMERIC(p, s): parameters ignored
    return { sql: mapped, end };
  }

  // ---- paths ----

  /** End (exclusive) of a dotted path starting at i (identifiers joined by '.'). */
  private pathEnd(i: number): number {
    if (!this.isName(i)) return i;
    let k = i + 1;
    while (this.op(k, '.') && this.isName(k + 1)) k += 2;
    return k;
  }

  private pathParts(a: number, b: number): string[] {
    const parts: string[] = [];
    for (let k = a; k < b; k++) {
      const x = this.t[k]!;
      if (x.kind === 'qident') parts.push(...x.value.split('.'));
      else if (x.kind === 'ident') parts.push(x.value);
    }
    return parts;
  }

  private resolveTable(a: number, b: number): TableName {
    const parts = this.pathParts(a, b);
    if (parts.some((p) => p === '')) this.fail(a, 'Invalid table name');
    if (parts.length === 3) {
      if (parts[0] !== this.ctx.projectId) throw notFound(`Dataset ${parts[0]}:${parts[1]}`);
      return { datasetId: parts[1]!, tableId: parts[2]! };
    }
    if (parts.length === 2) return { datasetId: parts[0]!, tableId: parts[1]! };
    if (parts.length === 1) {
      if (!this.ctx.defaultDataset) throw invalidQuery(`Table "${parts[0]}" must be qualified with a dataset (e.g. dataset.table).`);
      return { datasetId: this.ctx.defaultDataset, tableId: parts[0]! };
    }
    return this.fail(a, 'Invalid table name');
  }

  /** A table path in a FROM/target position → DuckDB name; CTEs and temp tables stay unqualified. */
  private tablePath(a: number, b: number): string {
    const parts = this.pathParts(a, b);
    if (parts.length === 1) {
      const lower = parts[0]!.toLowerCase();
      if (this.ctes.has(lower) || this.ctx.tempTables.has(lower)) return ident(parts[0]!);
    }
    const name = this.resolveTable(a, b);
    this.reads.push(name);
    return `${ident(name.datasetId)}.${ident(name.tableId)}`;
  }

  // ---- expressions ----

  /** Translates tokens [a, b). */
  private range(a: number, b: number, initial: Expect = null, noTables = false): string {
    const out: string[] = [];
    let expect: Expect = initial;
    let afterStar = false;
    for (let i = a; i < b; i++) {
      const tok = this.t[i]!;
      const wasStar = afterStar;
      afterStar = false;

      // A table name where one is expected.
      if (expect && this.isName(i)) {
        const end = this.pathEnd(i);
        const isCall = this.op(end, '(') && expect === 'from';
        const isKeyword = tok.kind === 'ident' && CLAUSE_WORDS.has(tok.upper);
        if (!isCall && !isKeyword) {
          out.push(this.tablePath(i, end));
          i = end - 1;
          expect = null;
          continue;
        }
      }
      expect = null;

      switch (tok.kind) {
        case 'string':
          out.push(str(tok.value));
          continue;
        case 'bytes':
          out.push(`CAST(${str(tok.value)} AS BLOB)`);
          continue;
        case 'number':
          out.push(/^0[xX]/.test(tok.text) ? BigInt(tok.text).toString() : tok.text);
          continue;
        case 'param':
          out.push(this.param(i));
          continue;
        case 'qident': {
          out.push(tok.value.split('.').map(ident).join('.'));
          continue;
        }
        case 'op': {
          if (tok.text === '(' || tok.text === '[') {
            const close = this.match[i]!;
            out.push(`${tok.text}${this.range(i + 1, close, null, noTables)}${this.t[close]!.text}`);
            i = close;
            continue;
          }
          if (tok.text === '*') afterStar = true;
          out.push(tok.text);
          continue;
        }
        case 'ws':
          continue;
        case 'ident':
          break;
      }

      const w = tok.upper;
      const next = this.t[i + 1];
      // Typed literals: TIMESTAMP '...', DATE '...', JSON '...', NUMERIC '...'
      if (next && next.kind === 'string' && ['TIMESTAMP', 'DATETIME', 'DATE', 'TIME', 'JSON', 'NUMERIC', 'DECIMAL', 'BIGNUMERIC'].includes(w)) {
        out.push(`CAST(${str(next.value)} AS ${TYPE_MAP[w] ?? 'DECIMAL(38,9)'})`);
        i++;
        continue;
      }
      if (w === 'EXCEPT' && wasStar && this.op(i + 1, '(')) {
        out.push('EXCLUDE');
        continue;
      }
      if (this.op(i + 1, '(') && !(this.op(i - 1, '.'))) {
        const close = this.match[i + 1]!;
        if (w === 'CAST' || w === 'SAFE_CAST') {
          const as = this.findTop(i + 2, close, 'AS');
          if (as < 0) this.fail(i, 'Expected AS in CAST');
          const ty = this.type(as + 1);
          out.push(`${w === 'CAST' ? 'CAST' : 'TRY_CAST'}(${this.range(i + 2, as)} AS ${ty.sql})`);
          i = close;
          continue;
        }
        if (w === 'UNNEST') {
          const inner = `UNNEST(${this.range(i + 2, close, null, noTables)})`;
          if (this.kw(i - 1, 'IN')) {
            out.push(`(SELECT ${inner})`);
            i = close;
            continue;
          }
          let k = close + 1;
          if (this.kw(k, 'AS')) k++;
          const alias = this.t[k];
          if (alias && this.isName(k) && !(alias.kind === 'ident' && (CLAUSE_WORDS.has(alias.upper) || alias.upper === 'WITH'))) {
            // BigQuery names the column after the alias; DuckDB names the table.
            out.push(`${inner} AS ${ident(alias.value)}(${ident(alias.value)})`);
            i = k;
          } else {
            out.push(inner);
            i = close;
          }
          if (this.kw(i + 1, 'WITH') && this.kw(i + 2, 'OFFSET')) throw unsupported('UNNEST ... WITH OFFSET');
          continue;
        }
        if (w === 'STRUCT') {
          out.push(this.struct(i + 2, close, noTables));
          i = close;
          continue;
        }
        const fn = FUNCTIONS[w];
        const inner = NO_TABLES_IN.has(w);
        if (fn) {
          const args = this.args(i + 2, close, inner);
          out.push(fn(args));
          i = close;
          continue;
        }
        if (w === 'ARRAY' || w === 'EXISTS' || w === 'IN' || w === 'OVER' || w === 'VALUES' || w === 'ROW' || w === 'USING' || CLAUSE_WORDS.has(w)) {
          out.push(tok.text);
          continue;
        }
        out.push(`${tok.text}(${this.range(i + 2, close, null, inner || noTables)})`);
        i = close;
        continue;
      }
      if (w === 'SAFE' && this.op(i + 1, '.')) throw unsupported('SAFE. function prefix');
      out.push(tok.text);
      if (noTables) continue;
      if (w === 'FROM') {
        const distinct = this.kw(i - 1, 'DISTINCT') && (this.kw(i - 2, 'IS') || this.kw(i - 2, 'NOT'));
        if (!distinct) expect = 'from';
      } else if (w === 'JOIN') expect = 'from';
      else if (w === 'TABLE' || w === 'INTO') expect = 'target';
      else if (w === 'UPDATE' && !this.kw(i + 1, 'SET')) expect = 'target';
    }
    return join(out);
  }

  /** `STRUCT(x AS a, y AS b)` → `struct_pack(a := x, b := y)`; unnamed fields get BigQuery's `_field_N`. */
  private struct(a: number, b: number, noTables: boolean): string {
    const members: string[] = [];
    let start = a;
    const flush = (end: number) => {
      if (end <= start) return;
      const as = this.findTop(start, end, 'AS');
      const name = as >= 0 && as === end - 2 && this.isName(end - 1) ? this.t[end - 1]!.value : `_field_${members.length + 1}`;
      members.push(`${ident(name)} := ${this.range(start, as >= 0 && as === end - 2 ? as : end, null, noTables)}`);
    };
    for (let i = a; i < b; i++) {
      if (this.match[i]! > i) i = this.match[i]!;
      else if (this.op(i, ',')) {
        flush(i);
        start = i + 1;
      }
    }
    flush(b);
    return `struct_pack(${members.join(', ')})`;
  }

  private args(a: number, b: number, noTables: boolean): string[] {
    if (a >= b) return [];
    const out: string[] = [];
    let start = a;
    for (let i = a; i < b; i++) {
      if (this.match[i]! > i) i = this.match[i]!;
      else if (this.op(i, ',')) {
        out.push(this.range(start, i, null, noTables));
        start = i + 1;
      }
    }
    out.push(this.range(start, b, null, noTables));
    return out;
  }

  private param(i: number): string {
    const tok = this.t[i]!;
    if (tok.text.startsWith('@@')) throw unsupported(`System variable ${tok.text}`);
    if (tok.text === '?') {
      const v = this.ctx.positional[this.positionalIndex++];
      if (v === undefined) throw invalidQuery(`Query has more positional parameters than were provided`);
      return v;
    }
    const v = this.ctx.named.get(tok.value.toLowerCase());
    if (v === undefined) throw invalidQuery(`Query parameter '${tok.value}' not found at [${tok.pos}]`);
    return v;
  }
}

/** Joins SQL pieces with spaces, except around '.' and inside brackets. */
function join(parts: string[]): string {
  let s = '';
  for (const p of parts) {
    if (s === '' || p === '.' || s.endsWith('.') || p === ',' || p === ')' || s.endsWith('(')) s += p;
    else s += ` ${p}`;
  }
  return s;
}
