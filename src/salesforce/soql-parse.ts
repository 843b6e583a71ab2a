/**
 * The shape of a user's SOQL query for a custom query stream: its field list, FROM object and
 * WHERE condition. The sync adds its own window, paging and deleted-row handling around the
 * condition, so clauses that would fight it (ORDER BY, LIMIT, GROUP BY, aggregates, subqueries)
 * are refused with the reason instead of being silently mangled.
 */

export interface SoqlSelect {
  /** Field paths as written (`Name`, `Owner.Name`), in SELECT order. */
  fields: string[];
  from: string;
  /** The WHERE condition's text, or undefined. */
  where?: string;
}

/** A query the custom stream cannot run; the message says what to change. */
export class SoqlShapeError extends Error {
  override name = 'SoqlShapeError';
}

interface Token {
  text: string;
  /** Offset in the query. */
  at: number;
  kind: 'word' | 'string' | 'punct';
}

const IDENTIFIER_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** Clauses the sync owns or that change what a row is. */
const REFUSED_CLAUSES: Record<string, string> = {
  'ORDER BY': 'the sync orders and pages the rows itself',
  LIMIT: 'the sync reads every matching row, window by window',
  OFFSET: 'the sync reads every matching row, window by window',
  'GROUP BY': 'aggregate rows have no Id to key or resume on',
  HAVING: 'aggregate rows have no Id to key or resume on',
  WITH: 'WITH clauses are not supported by Bulk API 2.0',
  FOR: 'FOR VIEW/REFERENCE/UPDATE change data instead of reading it',
  'USING SCOPE': 'Bulk API 2.0 does not support USING SCOPE',
  UPDATE: 'UPDATE TRACKING/VIEWSTAT change data instead of reading it',
};

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const start = i++;
      while (i < query.length && query[i] !== "'") i += query[i] === '\\' ? 2 : 1;
      if (i >= query.length) throw new SoqlShapeError(`a string literal starting at character ${start + 1} is never closed`);
      i++;
      tokens.push({ text: query.slice(start, i), at: start, kind: 'string' });
    } else if (/[A-Za-z0-9_.:\-+]/.test(c)) {
      const start = i;
      while (i < query.length && /[A-Za-z0-9_.:\-+]/.test(query[i]!)) i++;
      tokens.push({ text: query.slice(start, i), at: start, kind: 'word' });
    } else {
      tokens.push({ text: c, at: i, kind: 'punct' });
      i++;
    }
  }
  return tokens;
}

const upper = (token: Token | undefined) => (token?.kind === 'word' ? token.text.toUpperCase() : '');

/** The clause keyword starting at token `i` (two words for `ORDER BY` and the like), if any. */
function clauseAt(tokens: Token[], i: number): string | undefined {
  const one = upper(tokens[i]);
  const two = `${one} ${upper(tokens[i + 1])}`;
  if (two in REFUSED_CLAUSES) return two;
  if (one in REFUSED_CLAUSES && !['ORDER', 'GROUP', 'USING'].includes(one)) return one;
  return undefined;
}

export function parseSoqlSelect(query: string): SoqlSelect {
  const tokens = tokenize(query);
  if (upper(tokens[0]) !== 'SELECT') throw new SoqlShapeError('it must start with SELECT');

  // Field list: top-level commas up to FROM.
  const fields: string[] = [];
  let i = 1;
  let current: Token[] = [];
  const endField = () => {
    if (current.length === 0) throw new SoqlShapeError('the field list has an empty entry (two commas in a row, or a comma before FROM)');
    const text = current.map((t) => t.text).join(' ');
    if (current.some((t) => t.text === '(')) {
      throw new SoqlShapeError(`\`${text}\` is not a plain field: functions, aggregates, FIELDS(), TYPEOF and subqueries are not supported in a custom query stream; list the fields by name`);
    }
    if (current.length > 1 || !IDENTIFIER_PATH.test(text)) {
      throw new SoqlShapeError(`\`${text}\` is not a field name or relationship path (such as Owner.Name); aliases are not supported`);
    }
    fields.push(text);
    current = [];
  };
  let depth = 0;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (depth === 0 && upper(token) === 'FROM') break;
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth === 0 && token.text === ',') endField();
    else current.push(token);
  }
  if (i >= tokens.length) throw new SoqlShapeError('it has no FROM clause');
  endField();

  const fromToken = tokens[i + 1];
  if (!fromToken || fromToken.kind !== 'word' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(fromToken.text)) {
    throw new SoqlShapeError('FROM must name one object, e.g. FROM Account');
  }
  i += 2;
  if (tokens[i]?.text === ',') throw new SoqlShapeError('FROM must name one object; semi-joins over several objects are not supported');

  let where: string | undefined;
  if (upper(tokens[i]) === 'WHERE') {
    const start = i + 1;
    let end = start;
    let parens = 0;
    for (; end < tokens.length; end++) {
      const token = tokens[end]!;
      if (token.text === '(') parens++;
      if (token.text === ')') parens--;
      if (parens === 0 && clauseAt(tokens, end)) break;
    }
    if (end === start) throw new SoqlShapeError('WHERE has no condition');
    if (parens !== 0) throw new SoqlShapeError('the WHERE condition has unbalanced parentheses');
    const last = tokens[end - 1]!;
    where = query.slice(tokens[start]!.at, last.at + last.text.length).trim();
    i = end;
  }
  if (i < tokens.length) {
    const clause = clauseAt(tokens, i);
    if (clause) throw new SoqlShapeError(`${clause} is not supported in a custom query stream: ${REFUSED_CLAUSES[clause]}`);
    throw new SoqlShapeError(`unexpected \`${tokens[i]!.text}\` after the FROM object (only a WHERE condition may follow)`);
  }
  return { fields, from: fromToken.text, ...(where ? { where } : {}) };
}
