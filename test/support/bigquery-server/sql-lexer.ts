/**
 * A lexer for BigQuery GoogleSQL: string literals in every quoting (a double-quoted token is a
 * STRING, not an identifier), raw and bytes prefixes, backtick identifiers, comments (`--`, `#`,
 * `/* *\/`), query parameters, and splitting a script into statements.
 */
import { invalidQuery } from './errors.js';

export type TokenKind = 'ident' | 'qident' | 'string' | 'bytes' | 'number' | 'param' | 'op' | 'ws';

export interface Token {
  kind: TokenKind;
  /** Source text. */
  text: string;
  /** Decoded value: a string literal's content, a (backtick) identifier's name, a parameter's name. */
  value: string;
  /** Upper-cased text for unquoted identifiers (keywords). */
  upper: string;
  pos: number;
}

const OPS = ['<=>', '<<', '>>', '<=', '>=', '<>', '!=', '||', '=>', '->'];

export function lex(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, text: string, value: string, pos: number) =>
    out.push({ kind, text, value, upper: kind === 'ident' ? text.toUpperCase() : '', pos });
  while (i < sql.length) {
    const ch = sql[i]!;
    const start = i;
    // whitespace and comments
    if (/\s/.test(ch)) {
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
      push('ws', sql.slice(start, i), ' ', start);
      continue;
    }
    if (ch === '#' || (ch === '-' && sql[i + 1] === '-')) {
      while (i < sql.length && sql[i] !== '\n') i++;
      push('ws', sql.slice(start, i), ' ', start);
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw syntax(sql, i, 'Unclosed comment');
      i = end + 2;
      push('ws', sql.slice(start, i), ' ', start);
      continue;
    }
    // string / bytes literals with optional r/b prefixes
    const prefix = /^([rRbB]{1,2})?(['"])/.exec(sql.slice(i, i + 3));
    if (prefix && (prefix[1] === undefined || /^(r|b|rb|br)$/i.test(prefix[1]))) {
      const flags = (prefix[1] ?? '').toLowerCase();
      i += flags.length;
      const { value, end } = readString(sql, i, flags.includes('r'));
      i = end;
      push(flags.includes('b') ? 'bytes' : 'string', sql.slice(start, i), value, start);
      continue;
    }
    if (ch === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw syntax(sql, start, 'Unclosed identifier literal');
        const c = sql[i]!;
        if (c === '`') break;
        if (c === '\\') {
          value += sql[i + 1] ?? '';
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (value === '') throw syntax(sql, start, 'Invalid empty identifier');
      push('qident', sql.slice(start, i), value, start);
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      const text = sql.slice(start, i);
      push('ident', text, text, start);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(sql.slice(i))!;
      i += m[0].length;
      push('number', m[0], m[0], start);
      continue;
    }
    if (ch === '@') {
      const m = /^@@?[A-Za-z_][A-Za-z0-9_.]*/.exec(sql.slice(i));
      if (!m) throw syntax(sql, i, 'Invalid query parameter');
      i += m[0].length;
      push('param', m[0], m[0].replace(/^@/, ''), start);
      continue;
    }
    if (ch === '?') {
      i++;
      push('param', '?', '?', start);
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    i += op ? op.length : 1;
    push('op', sql.slice(start, i), sql.slice(start, i), start);
  }
  return out;
}

function readString(sql: string, i: number, raw: boolean): { value: string; end: number } {
  const q = sql[i]!;
  const triple = sql.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  const start = i;
  i += close.length;
  let value = '';
  for (;;) {
    if (i >= sql.length) throw syntax(sql, start, 'Unclosed string literal');
    if (sql.startsWith(close, i)) return { value, end: i + close.length };
    const c = sql[i]!;
    if (!triple && c === '\n') throw syntax(sql, start, 'Unclosed string literal');
    if (c === '\\') {
      const n = sql[i + 1] ?? '';
      if (raw) {
        value += c + n;
        i += 2;
        continue;
      }
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };
      if (n in simple) {
        value += simple[n];
        i += 2;
        continue;
      }
      const hex = /^(?:[xX]([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))/.exec(sql.slice(i + 1));
      if (!hex) throw syntax(sql, i, `Illegal escape sequence: \\${n}`);
      const code = hex[1] ? parseInt(hex[1], 16) : hex[2] ? parseInt(hex[2], 16) : hex[3] ? parseInt(hex[3], 16) : parseInt(hex[4]!, 8);
      value += String.fromCodePoint(code);
      i += 1 + hex[0].length;
      continue;
    }
    value += c;
    i++;
  }
}

export function syntax(sql: string, pos: number, message: string): Error {
  const before = sql.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return invalidQuery(`Syntax error: ${message} at [${line}:${col}]`);
}

/** The statements of a script (split on `;` outside literals), without whitespace-only ones. */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === ';') {
      out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  out.push(cur);
  return out.map(trim).filter((s) => s.length > 0);
}

export function trim(tokens: Token[]): Token[] {
  let a = 0;
  let b = tokens.length;
  while (a < b && tokens[a]!.kind === 'ws') a++;
  while (b > a && tokens[b - 1]!.kind === 'ws') b--;
  return tokens.slice(a, b);
}
