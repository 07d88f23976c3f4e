/**
 * GitHub Actions expressions (`${{ … }}` and `if:`), the part workflows use: literals,
 * contexts with `.name` and `[expr]`, `! == != < <= > >= && ||`, parentheses, and the
 * functions contains, startsWith, endsWith, format, join, toJSON, fromJSON and the status
 * functions. Semantics as GitHub documents them: a missing property is null, strings compare
 * case-insensitively, values of different types compare as numbers, && and || return an
 * operand, and an `if:` without a status function means `success() && (…)`.
 */
export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

export interface Status {
  /** A step before this one failed. */
  failed: boolean;
}

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-f]+|[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?)/i.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '<=', '>=', '&&', '||'].find((o) => src.startsWith(o, i)) ?? (/[()[\].,!<>*]/.test(c) ? c : undefined);
      if (!op) throw new Error(`unexpected ${c} in expression ${src}`);
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ctx'; name: string }
  | { k: 'prop'; of: Node; key: Node }
  | { k: 'call'; fn: string; args: Node[] }
  | { k: 'not'; of: Node }
  | { k: 'bin'; op: string; l: Node; r: Node };

function parse(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = (v?: string): string | undefined => (toks[p]?.t === 'op' && (v === undefined || toks[p]!.v === v) ? (toks[p]!.v as string) : undefined);
  const eat = (v: string) => {
    if (peek(v) !== v) throw new Error(`expected ${v} at token ${p} of ${src}`);
    p++;
  };
  const binary = (ops: string[], next: () => Node) => (): Node => {
    let l = next();
    while (ops.includes(peek() ?? '')) {
      const op = toks[p++]!.v as string;
      l = { k: 'bin', op, l, r: next() };
    }
    return l;
  };
  const primary = (): Node => {
    const tok = toks[p++];
    if (!tok) throw new Error(`unexpected end of ${src}`);
    let node: Node;
    if (tok.t === 'num' || tok.t === 'str') node = { k: 'lit', v: tok.v };
    else if (tok.t === 'op' && tok.v === '(') {
      node = or();
      eat(')');
    } else if (tok.t === 'op' && tok.v === '!') return { k: 'not', of: primary() };
    else if (tok.t === 'id') {
      const lower = tok.v.toLowerCase();
      if (lower === 'true' || lower === 'false') node = { k: 'lit', v: lower === 'true' };
      else if (lower === 'null') node = { k: 'lit', v: null };
      else if (peek('(')) {
        p++;
        const args: Node[] = [];
        while (!peek(')')) {
          args.push(or());
          if (peek(',')) p++;
        }
        eat(')');
        node = { k: 'call', fn: lower, args };
      } else node = { k: 'ctx', name: tok.v };
    } else throw new Error(`unexpected ${tok.v} in ${src}`);
    for (;;) {
      if (peek('.')) {
        p++;
        const key = toks[p++];
        if (!key || (key.t !== 'id' && !(key.t === 'op' && key.v === '*'))) throw new Error(`expected a property name in ${src}`);
        node = { k: 'prop', of: node, key: { k: 'lit', v: key.v as string } };
      } else if (peek('[')) {
        p++;
        const key = or();
        eat(']');
        node = { k: 'prop', of: node, key };
      } else return node;
    }
  };
  const cmp = binary(['<', '<=', '>', '>='], primary);
  const eq = binary(['==', '!='], cmp);
  const and = binary(['&&'], eq);
  const or = binary(['||'], and);
  const node = or();
  if (p !== toks.length) throw new Error(`unexpected ${String(toks[p]!.v)} in ${src}`);
  return node;
}

export const truthy = (v: Value) => !(v === null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));

export function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (typeof a === 'object' && a !== null) return a === b ? 0 : NaN;
  const x = toNumber(a);
  const y = toNumber(b);
  return x === y ? 0 : x < y ? -1 : x > y ? 1 : NaN;
}

function property(of: Value, key: Value): Value {
  if (of === null || typeof of !== 'object') return null;
  if (Array.isArray(of)) return typeof key === 'number' ? (of[key] ?? null) : null;
  const name = String(key);
  if (name in of) return of[name] ?? null;
  const found = Object.keys(of).find((k) => k.toLowerCase() === name.toLowerCase());
  return found === undefined ? null : (of[found] ?? null);
}

function evaluate(node: Node, contexts: Record<string, Value>, status: Status): Value {
  const ev = (n: Node) => evaluate(n, contexts, status);
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'ctx': {
      const found = Object.keys(contexts).find((k) => k.toLowerCase() === node.name.toLowerCase());
      if (found === undefined) throw new Error(`unknown context ${node.name}`);
      return contexts[found]!;
    }
    case 'prop':
      return property(ev(node.of), ev(node.key));
    case 'not':
      return !truthy(ev(node.of));
    case 'bin': {
      if (node.op === '&&') {
        const l = ev(node.l);
        return truthy(l) ? ev(node.r) : l;
      }
      if (node.op === '||') {
        const l = ev(node.l);
        return truthy(l) ? l : ev(node.r);
      }
      const c = compare(ev(node.l), ev(node.r));
      return { '==': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[node.op]!;
    }
    case 'call': {
      const args = node.args.map(ev);
      const s = (i: number) => toText(args[i] ?? null).toLowerCase();
      switch (node.fn) {
        case 'success':
          return !status.failed;
        case 'failure':
          return status.failed;
        case 'always':
          return true;
        case 'cancelled':
          return false;
        case 'contains':
          return Array.isArray(args[0]) ? args[0].some((x) => compare(x, args[1] ?? null) === 0) : s(0).includes(s(1));
        case 'startswith':
          return s(0).startsWith(s(1));
        case 'endswith':
          return s(0).endsWith(s(1));
        case 'format':
          return toText(args[0] ?? null).replace(/\{(\d+)\}/g, (_, i: string) => toText(args[Number(i) + 1] ?? null));
        case 'join':
          return Array.isArray(args[0]) ? args[0].map(toText).join(args.length > 1 ? toText(args[1]!) : ',') : toText(args[0] ?? null);
        case 'tojson':
          return JSON.stringify(args[0] ?? null, null, 2);
        case 'fromjson':
          return JSON.parse(toText(args[0] ?? null)) as Value;
        default:
          throw new Error(`${node.fn}() is not supported by this runner`);
      }
    }
  }
}

/** The value of one expression (without `${{ }}`). */
export function evaluateExpression(src: string, contexts: Record<string, Value>, status: Status = { failed: false }): Value {
  return evaluate(parse(src), contexts, status);
}

/** A string with every `${{ … }}` replaced by its value, as GitHub does in `env`, `with` and `run`. */
export function interpolate(text: string, contexts: Record<string, Value>, status?: Status): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => toText(evaluateExpression(expr, contexts, status)));
}

/** Whether a step or job with this `if:` runs (absent: `success()`). */
export function shouldRun(condition: string | boolean | undefined, contexts: Record<string, Value>, status: Status): boolean {
  if (condition === undefined) return !status.failed;
  if (typeof condition === 'boolean') return condition && !status.failed;
  const src = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const withStatus = /\b(success|failure|always|cancelled)\s*\(/.test(src) ? src : `success() && (${src})`;
  return truthy(evaluateExpression(withStatus, contexts, status));
}
