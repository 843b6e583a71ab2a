/**
 * The SOQL subset the emulator understands, shared by REST query and Bulk API 2.0:
 * SELECT fields (with parent relationship paths) or COUNT(), FROM, WHERE with comparisons,
 * LIKE, IN / NOT IN, INCLUDES / EXCLUDES, NOT / AND / OR and parentheses, ORDER BY, LIMIT,
 * OFFSET. Errors carry Salesforce's codes and message style.
 */
import { OrgError } from '../org/types.js';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  /** epoch ms */
  | { kind: 'datetime'; value: number };

export interface FieldRef {
  path: string[];
  /** 1-based column in the query text, for error messages. */
  column: number;
}

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: FieldRef; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'like'; field: FieldRef; pattern: string; negated: boolean }
  | { kind: 'in'; field: FieldRef; values: Literal[]; negated: boolean }
  | { kind: 'includes'; field: FieldRef; values: string[]; negated: boolean };

export interface OrderItem {
  field: FieldRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  text: string;
  count: boolean;
  fields: FieldRef[];
  from: { name: string; column: number };
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

interface Token {
  kind: 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'end';
  text: string;
  value?: string | number;
  column: number;
}

/** Fractions of 1 to 9 digits (Python writes microseconds: `37.055000Z`); an offset may replace Z. */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;

export function malformed(query: string, token: { text: string; column: number }): OrgError {
  const text = token.text === '' ? '<EOF>' : token.text;
  return new OrgError('MALFORMED_QUERY', `\n${query}\n${' '.repeat(Math.max(0, token.column - 1))}^\nERROR at Row:1:Column:${token.column}\nunexpected token: '${text}'`);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const column = i + 1;
    const rest = query.slice(i);
    const dt = DATETIME.exec(rest);
    if (dt) {
      const zone = dt[8] === 'Z' ? 'Z' : `${dt[8]!.slice(0, 3)}:${dt[8]!.slice(-2)}`;
      // Whole milliseconds from Date.parse; finer digits kept as a fraction so comparisons stay exact.
      const fraction = (dt[7] ?? '').padEnd(9, '0');
      const ms = Date.parse(`${dt[1]}-${dt[2]}-${dt[3]}T${dt[4]}:${dt[5]}:${dt[6]}.${fraction.slice(0, 3)}${zone}`) + Number(fraction.slice(3)) / 1e6;
      tokens.push({ kind: 'datetime', text: dt[0], value: ms, column });
      i += dt[0].length;
      continue;
    }
    const d = DATE.exec(rest);
    if (d) {
      tokens.push({ kind: 'date', text: d[0], value: d[0], column });
      i += d[0].length;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < query.length && query[j] !== "'"; j += 1) {
        if (query[j] === '\\' && j + 1 < query.length) {
          const e = query[j + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 1;
        } else value += query[j];
      }
      if (j >= query.length) throw malformed(query, { text: query.slice(i), column });
      tokens.push({ kind: 'string', text: query.slice(i, j + 1), value, column });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num && (c !== '-' || /^-\d/.test(rest))) {
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), column });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(:\d+)?/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], column });
      i += ident[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', text: op[0] === '<>' ? '!=' : op[0], column });
      i += op[0].length;
      continue;
    }
    if ('(),.'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, column });
      i += 1;
      continue;
    }
    throw malformed(query, { text: c, column });
  }
  tokens.push({ kind: 'end', text: '', column: query.length + 1 });
  return tokens;
}

const RELATIVE_DATES: Record<string, (now: number) => number> = {
  TODAY: (now) => Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate()),
  YESTERDAY: (now) => RELATIVE_DATES.TODAY!(now) - 86_400_000,
};

export function parseSoql(query: string, now: number = Date.now()): SoqlQuery {
  const tokens = tokenize(query);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isWord = (word: string, t = peek()) => t.kind === 'ident' && t.text.toUpperCase() === word;
  const expectWord = (word: string) => {
    if (!isWord(word)) throw malformed(query, peek());
    return next();
  };
  const expectPunct = (p: string) => {
    const t = next();
    if (t.kind !== 'punct' || t.text !== p) throw malformed(query, t);
    return t;
  };
  const fieldRef = (): FieldRef => {
    const first = next();
    if (first.kind !== 'ident') throw malformed(query, first);
    const path = [first.text];
    while (peek().kind === 'punct' && peek().text === '.') {
      next();
      const part = next();
      if (part.kind !== 'ident') throw malformed(query, part);
      path.push(part.text);
    }
    return { path, column: first.column };
  };
  const literal = (): Literal => {
    const t = next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value as string };
      case 'number':
        return { kind: 'number', value: t.value as number };
      case 'date':
        return { kind: 'date', value: t.value as string };
      case 'datetime':
        return { kind: 'datetime', value: t.value as number };
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
        if (upper === 'NULL') return { kind: 'null' };
        const relative = RELATIVE_DATES[upper];
        if (relative) return { kind: 'datetime', value: relative(now) };
        const lastN = /^LAST_N_DAYS:(\d+)$/.exec(upper);
        if (lastN) return { kind: 'datetime', value: RELATIVE_DATES.TODAY!(now) - Number(lastN[1]) * 86_400_000 };
        throw malformed(query, t);
      }
      default:
        throw malformed(query, t);
    }
  };
  const literalList = (): Literal[] => {
    expectPunct('(');
    const values = [literal()];
    while (peek().text === ',') {
      next();
      values.push(literal());
    }
    expectPunct(')');
    return values;
  };

  const primary = (): Condition => {
    if (peek().kind === 'punct' && peek().text === '(') {
      next();
      const inner = orCondition();
      expectPunct(')');
      return inner;
    }
    if (isWord('NOT')) {
      next();
      return { kind: 'not', operand: primary() };
    }
    const field = fieldRef();
    const t = peek();
    if (t.kind === 'op') {
      next();
      return { kind: 'compare', field, op: t.text as '=', value: literal() };
    }
    let negated = false;
    if (isWord('NOT')) {
      next();
      negated = true;
    }
    if (isWord('IN')) {
      next();
      return { kind: 'in', field, values: literalList(), negated };
    }
    if (isWord('LIKE') && !negated) {
      next();
      const p = next();
      if (p.kind !== 'string') throw malformed(query, p);
      return { kind: 'like', field, pattern: p.value as string, negated: false };
    }
    if ((isWord('INCLUDES') || isWord('EXCLUDES')) && !negated) {
      const excludes = isWord('EXCLUDES');
      next();
      const values = literalList().map((l) => (l.kind === 'string' ? l.value : ''));
      return { kind: 'includes', field, values, negated: excludes };
    }
    throw malformed(query, peek());
  };
  const andCondition = (): Condition => {
    let left = primary();
    while (isWord('AND')) {
      next();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  function orCondition(): Condition {
    let left = andCondition();
    while (isWord('OR')) {
      next();
      left = { kind: 'or', left, right: andCondition() };
    }
    return left;
  }

  expectWord('SELECT');
  let count = false;
  const fields: FieldRef[] = [];
  if (isWord('COUNT') && tokens[pos + 1]?.text === '(') {
    next();
    expectPunct('(');
    expectPunct(')');
    count = true;
  } else {
    fields.push(fieldRef());
    while (peek().kind === 'punct' && peek().text === ',') {
      next();
      fields.push(fieldRef());
    }
  }
  expectWord('FROM');
  const fromToken = next();
  if (fromToken.kind !== 'ident') throw malformed(query, fromToken);
  const result: SoqlQuery = { text: query, count, fields, from: { name: fromToken.text, column: fromToken.column }, orderBy: [] };
  if (isWord('WHERE')) {
    next();
    result.where = orCondition();
  }
  if (isWord('ORDER')) {
    next();
    expectWord('BY');
    for (;;) {
      const field = fieldRef();
      let descending = false;
      if (isWord('ASC')) next();
      else if (isWord('DESC')) {
        next();
        descending = true;
      }
      let nullsLast = descending;
      if (isWord('NULLS')) {
        next();
        if (isWord('FIRST')) nullsLast = false;
        else if (isWord('LAST')) nullsLast = true;
        else throw malformed(query, peek());
        next();
      }
      result.orderBy.push({ field, descending, nullsLast });
      if (peek().text !== ',') break;
      next();
    }
  }
  if (isWord('LIMIT')) {
    next();
    const n = next();
    if (n.kind !== 'number') throw malformed(query, n);
    result.limit = n.value as number;
  }
  if (isWord('OFFSET')) {
    next();
    const n = next();
    if (n.kind !== 'number') throw malformed(query, n);
    result.offset = n.value as number;
  }
  if (peek().kind !== 'end') throw malformed(query, peek());
  return result;
}
