/**
 * Formula fields: the subset of Salesforce's formula language the emulated org's formulas use,
 * evaluated on read so a formula follows its inputs (on the row, or across a lookup such as
 * `Account.Name`) without the row's SystemModstamp moving — which is what makes polled formula
 * values go stale. Supported: numbers, 'text' and "text" literals, field paths, `+ - * /`, `&`
 * (text concatenation), parentheses, and the functions TEXT, UPPER, LOWER, BLANKVALUE, ROUND.
 * Blanks follow "treat blank fields as blanks": arithmetic on a blank is blank, `&` reads it as ''.
 * Percent inputs are fractions inside formulas (8.5% is 0.085), as in Salesforce.
 */

export type FormulaValue = string | number | boolean | null;

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string }
  | { kind: 'field'; path: string[] }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '&'; left: Node; right: Node }
  | { kind: 'negate'; operand: Node }
  | { kind: 'call'; name: string; args: Node[] };

/** Reads an input: `['Amount__c']` on the row, `['Account', 'Name']` across the Account lookup. */
export type FormulaInput = (path: string[]) => FormulaValue;

export interface CompiledFormula {
  text: string;
  /** Every field path the formula reads (its inputs). */
  inputs: string[][];
  evaluate(input: FormulaInput): FormulaValue;
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|([-+*/&(),]))/y;

type Token = { number: number } | { text: string } | { name: string } | { symbol: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`formula: unexpected text at ${at}: ${text.slice(at)}`);
    if (m[1] !== undefined) tokens.push({ number: Number(m[1]) });
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ text: (m[2] ?? m[3])!.replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) tokens.push({ name: m[4] });
    else tokens.push({ symbol: m[5]! });
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peekSymbol = (s: string) => {
    const t = tokens[i];
    return t !== undefined && 'symbol' in t && t.symbol === s;
  };
  const expect = (s: string) => {
    if (!peekSymbol(s)) throw new Error(`formula: expected '${s}' in ${text}`);
    i += 1;
  };
  // Salesforce's precedence: & binds like +.
  const additive = (): Node => {
    let left = multiplicative();
    while (peekSymbol('+') || peekSymbol('-') || peekSymbol('&')) {
      const op = (tokens[i++] as { symbol: '+' | '-' | '&' }).symbol;
      left = { kind: 'binary', op, left, right: multiplicative() };
    }
    return left;
  };
  const multiplicative = (): Node => {
    let left = unary();
    while (peekSymbol('*') || peekSymbol('/')) {
      const op = (tokens[i++] as { symbol: '*' | '/' }).symbol;
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peekSymbol('-')) {
      i += 1;
      return { kind: 'negate', operand: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`formula: unexpected end of ${text}`);
    if ('number' in t) return { kind: 'number', value: t.number };
    if ('text' in t) return { kind: 'text', value: t.text };
    if ('symbol' in t) {
      if (t.symbol !== '(') throw new Error(`formula: unexpected '${t.symbol}' in ${text}`);
      const inner = additive();
      expect(')');
      return inner;
    }
    if (peekSymbol('(')) {
      i += 1;
      const args: Node[] = [];
      if (!peekSymbol(')')) {
        args.push(additive());
        while (peekSymbol(',')) {
          i += 1;
          args.push(additive());
        }
      }
      expect(')');
      return { kind: 'call', name: t.name.toUpperCase(), args };
    }
    return { kind: 'field', path: t.name.split('.') };
  };
  const node = additive();
  if (i !== tokens.length) throw new Error(`formula: unexpected text after the expression in ${text}`);
  return node;
}

function inputsOf(node: Node, out: string[][]): string[][] {
  if (node.kind === 'field') out.push(node.path);
  else if (node.kind === 'binary') {
    inputsOf(node.left, out);
    inputsOf(node.right, out);
  } else if (node.kind === 'negate') inputsOf(node.operand, out);
  else if (node.kind === 'call') for (const a of node.args) inputsOf(a, out);
  return out;
}

const asText = (v: FormulaValue): string => (v === null ? '' : String(v));
const isBlank = (v: FormulaValue) => v === null || v === '';

function evaluate(node: Node, input: FormulaInput): FormulaValue {
  switch (node.kind) {
    case 'number':
    case 'text':
      return node.value;
    case 'field':
      return input(node.path);
    case 'negate': {
      const v = evaluate(node.operand, input);
      return typeof v === 'number' ? -v : null;
    }
    case 'binary': {
      const a = evaluate(node.left, input);
      const b = evaluate(node.right, input);
      if (node.op === '&') return asText(a) + asText(b);
      if (typeof a !== 'number' || typeof b !== 'number') return null;
      if (node.op === '+') return a + b;
      if (node.op === '-') return a - b;
      if (node.op === '*') return a * b;
      return b === 0 ? null : a / b;
    }
    case 'call': {
      const args = node.args.map((a) => evaluate(a, input));
      switch (node.name) {
        case 'TEXT':
          return asText(args[0] ?? null);
        case 'UPPER':
          return isBlank(args[0] ?? null) ? null : asText(args[0]!).toUpperCase();
        case 'LOWER':
          return isBlank(args[0] ?? null) ? null : asText(args[0]!).toLowerCase();
        case 'BLANKVALUE':
          return isBlank(args[0] ?? null) ? (args[1] ?? null) : args[0]!;
        case 'ROUND': {
          const [v, digits] = args;
          if (typeof v !== 'number' || typeof digits !== 'number') return null;
          const f = 10 ** digits;
          return Math.round(v * f) / f;
        }
        default:
          throw new Error(`formula: unknown function ${node.name}`);
      }
    }
  }
}

/** Parses a formula once; throws on text outside the supported subset (a schema bug). */
export function compileFormula(text: string): CompiledFormula {
  const ast = parse(text);
  return { text, inputs: inputsOf(ast, []), evaluate: (input) => evaluate(ast, input) };
}
