// The regular expressions of stap's `=~`: POSIX EREs over bytes, as stap's own parser reads
// them (checked against stap 5 with -p2/-p3): a backslash makes any next byte literal (`\n` is
// "n", `\d` is "d"), also inside brackets; `.` is any byte but NUL; `[:class:]` names; `]` first
// in a bracket is literal; anchors may stand anywhere; no back-references.

/** 256 flags, one per byte value. */
export type ByteSet = Uint8Array;

export type ReNode =
  | { kind: 'bytes'; set: ByteSet }
  | { kind: 'bol' }
  | { kind: 'eol' }
  | { kind: 'empty' }
  | { kind: 'cat'; items: ReNode[] }
  | { kind: 'alt'; items: ReNode[] }
  /** max: Infinity for no bound. */
  | { kind: 'repeat'; item: ReNode; min: number; max: number }
  | { kind: 'group'; index: number; item: ReNode };

export interface ParsedRegex {
  root: ReNode;
  /** Parenthesized subexpressions (group 0, the whole match, not counted). */
  groups: number;
}

/** stap's "regex compilation error (at position N): ..." (position null: none given). */
export class RegexSyntaxError extends Error {
  constructor(readonly detail: string, readonly position: number | null) {
    super(position === null ? detail : `(at position ${position}): ${detail}`);
  }

  /** The error as stap words it. */
  get report(): string {
    return this.position === null ? `regex compilation error: ${this.detail}` : `regex compilation error ${this.message}`;
  }
}

const CLASSES: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => CLASSES['alpha']!(c) || CLASSES['digit']!(c),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  blank: (c) => c === 32 || c === 9,
  punct: (c) => c >= 33 && c <= 126 && !CLASSES['alnum']!(c),
  print: (c) => c >= 32 && c <= 126,
  graph: (c) => c >= 33 && c <= 126,
  cntrl: (c) => c < 32 || c === 127,
  xdigit: (c) => CLASSES['digit']!(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

export function byteSet(pred: (c: number) => boolean): ByteSet {
  const s = new Uint8Array(256);
  for (let c = 1; c < 256; c++) if (pred(c)) s[c] = 1;
  return s;
}

const REPEAT_CHARS = '*+?{';

class Parser {
  private i = 0;
  groups = 0;

  constructor(private readonly src: string) {}

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private byteAt(i: number): number {
    return this.src.charCodeAt(i) & 0xff;
  }

  parse(): ParsedRegex {
    const root = this.alternation();
    if (this.i < this.src.length) throw new RegexSyntaxError(`unexpected '${this.peek()}'`, this.i);
    return { root, groups: this.groups };
  }

  private alternation(): ReNode {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { kind: 'alt', items };
  }

  private concatenation(): ReNode {
    const items: ReNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.repetition());
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'cat', items };
  }

  private repetition(): ReNode {
    let node = this.atom();
    for (let c = this.peek(); c !== undefined && REPEAT_CHARS.includes(c); c = this.peek()) {
      const at = this.i;
      if (node.kind === 'bol' || node.kind === 'eol') {
        throw new RegexSyntaxError(`postfix closure '${c}' applied to anchoring operator`, at);
      }
      this.i++;
      if (c === '*') node = { kind: 'repeat', item: node, min: 0, max: Infinity };
      else if (c === '+') node = { kind: 'repeat', item: node, min: 1, max: Infinity };
      else if (c === '?') node = { kind: 'repeat', item: node, min: 0, max: 1 };
      else {
        const min = this.number();
        let max = min;
        if (this.peek() === ',') {
          this.i++;
          max = this.peek() === '}' ? Infinity : this.number();
        }
        if (this.peek() !== '}') this.fail(`expected '}'`);
        this.i++;
        if (max < min) throw new RegexSyntaxError(`invalid repetition bounds {${min},${max}}`, at);
        node = { kind: 'repeat', item: node, min, max };
      }
    }
    return node;
  }

  private number(): number {
    const start = this.i;
    while (/[0-9]/.test(this.peek() ?? '')) this.i++;
    // stap's positions: the end, or one past the byte that is not a digit.
    if (this.i === start) throw new RegexSyntaxError('expected number', Math.min(this.i + 1, this.src.length));
    return Number(this.src.slice(start, this.i));
  }

  /** stap's "unexpected end of regex" at the end, otherwise `detail`. */
  private fail(detail: string): never {
    if (this.i >= this.src.length) throw new RegexSyntaxError('unexpected end of regex', this.i);
    throw new RegexSyntaxError(detail, this.i);
  }

  private atom(): ReNode {
    const c = this.peek()!;
    if (REPEAT_CHARS.includes(c)) throw new RegexSyntaxError(`unexpected '${c}'`, this.i);
    this.i++;
    switch (c) {
      case '(': {
        const index = ++this.groups;
        const open = this.i;
        const item = this.alternation();
        if (this.peek() !== ')') {
          throw new RegexSyntaxError(`expected ), found ${this.i >= this.src.length ? 'end of regex' : `'${this.peek()}'`}`, open);
        }
        this.i++;
        return { kind: 'group', index, item };
      }
      case '^': return { kind: 'bol' };
      case '$': return { kind: 'eol' };
      case '.': return { kind: 'bytes', set: byteSet(() => true) };
      case '[': return this.bracket();
      case '\\': {
        if (this.i >= this.src.length) throw new RegexSyntaxError('unexpected end of regex', this.i + 1);
        return this.literal(this.byteAt(this.i++));
      }
      default: return this.literal(this.byteAt(this.i - 1));
    }
  }

  private literal(b: number): ReNode {
    return { kind: 'bytes', set: byteSet((c) => c === b) };
  }

  /** After '[': a bracket expression up to its ']'. */
  private bracket(): ReNode {
    const open = this.i;
    const set = new Uint8Array(256);
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    let first = true;
    const unclosed = () => new RegexSyntaxError('unclosed character class', open);
    for (;;) {
      if (this.i >= this.src.length) throw unclosed();
      const c = this.peek()!;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.src[this.i + 1] === ':') {
        const end = this.src.indexOf(':]', this.i + 2);
        if (end < 0) {
          throw new RegexSyntaxError(`unclosed character class '${this.src.slice(this.i)}'`, this.src.length);
        }
        const name = this.src.slice(this.i + 2, end);
        const pred = CLASSES[name];
        if (!pred) throw new RegexSyntaxError(`unknown character class '${name}'`, null);
        for (let b = 1; b < 256; b++) if (pred(b)) set[b] = 1;
        this.i = end + 2;
        continue;
      }
      const lo = this.bracketByte();
      if (this.peek() === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        this.i++;
        const hi = this.bracketByte();
        if (hi < lo) {
          throw new RegexSyntaxError(`Inverted character range ${String.fromCharCode(lo)}-${String.fromCharCode(hi)}`, this.i);
        }
        for (let b = lo; b <= hi; b++) set[b] = 1;
      } else set[lo] = 1;
    }
    this.i++;
    set[0] = 0;
    if (negate) for (let b = 1; b < 256; b++) set[b] = set[b] ? 0 : 1;
    return { kind: 'bytes', set };
  }

  /** One byte of a bracket expression, `\x` meaning x. */
  private bracketByte(): number {
    if (this.peek() === '\\' && this.i + 1 < this.src.length) this.i++;
    return this.byteAt(this.i++);
  }
}

/** Parses `src` (the regex literal's bytes, one per char), or throws RegexSyntaxError. */
export function parseRegex(src: string): ParsedRegex {
  return new Parser(src).parse();
}
