// Expressions, by stap 4.8's grammar: precedence climbing from assignment down to values,
// target variables ($x->a[2]$$), @cast/@var/@defined/@entry/@perf, statistics and
// histogram operators, the print family and function calls.

import type * as A from './ast.js';
import { TokenCursor, perr } from './cursor.js';
import { parseFormat } from './format.js';
import { isOp, type Token } from './token.js';

const assignOps = new Set(['=', '<<<', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=', '.=']);
const comparisonOps = new Set(['>', '<', '==', '!=', '<=', '>=']);

type BinaryKind = 'logical' | 'binary' | 'concat';
const binaryLevels: ({ ops: string[]; kind: BinaryKind } | null)[] = [
  { ops: ['||'], kind: 'logical' },
  { ops: ['&&'], kind: 'logical' },
  { ops: ['|'], kind: 'binary' },
  { ops: ['^'], kind: 'binary' },
  { ops: ['&'], kind: 'binary' },
  null, // `in`
  null, // comparisons, =~ and !~
  { ops: ['<<', '>>', '>>>'], kind: 'binary' },
  { ops: ['.'], kind: 'concat' },
  { ops: ['+', '-'], kind: 'binary' },
  { ops: ['*', '/', '%'], kind: 'binary' },
];
const LEVEL_ARRAY_IN = 5;
const LEVEL_COMPARISON = 6;
const LAST_LEVEL = binaryLevels.length - 1;
const statOps: Record<string, A.StatKind> = {
  '@avg': 'avg', '@variance': 'variance', '@count': 'count', '@sum': 'sum', '@min': 'min', '@max': 'max',
};

/** stap's print_format::create: which print-family name this is, or null. */
function printKind(name: string) {
  if (name === 'print_char') return { stream: true, withFormat: false, withDelim: false, withNewline: false, isChar: true };
  let n = name;
  let stream = true;
  let withFormat = false;
  let withDelim = false;
  let withNewline = false;
  if (n.startsWith('s')) {
    stream = false;
    n = n.slice(1);
  }
  if (!n.startsWith('print')) return null;
  n = n.slice(5);
  if (n.startsWith('f')) {
    withFormat = true;
    n = n.slice(1);
  } else {
    if (n.startsWith('d')) {
      withDelim = true;
      n = n.slice(1);
    }
    if (n.startsWith('ln')) {
      withNewline = true;
      n = n.slice(2);
    }
  }
  if (n !== '') return null;
  return { stream, withFormat, withDelim, withNewline, isChar: false };
}

export class ExprParser extends TokenCursor {
  parseExpression(): A.Expr {
    return this.parseAssignment();
  }

  private parseAssignment(): A.Expr {
    const left = this.parseTernary();
    const t = this.peek();
    if (t && t.type === 'operator' && assignOps.has(t.content)) {
      this.next();
      const right = this.parseExpression(); // right-associative
      return { kind: 'assignment', tok: t, op: t.content, left, right };
    }
    return left;
  }

  private parseTernary(): A.Expr {
    const cond = this.parseLogicalOr();
    const t = this.peek();
    if (!isOp(t, '?')) return cond;
    this.next();
    const truevalue = this.parseExpression();
    const colon = this.next();
    if (!isOp(colon, ':')) throw perr('ternary', "expected ':'");
    this.swallow();
    const falsevalue = this.lexer.hasVersion('4.0') ? this.parseTernary() : this.parseExpression();
    return { kind: 'ternary', tok: t!, cond, truevalue, falsevalue };
  }

  /**
   * The left-associative binary levels, loosest first, by stap's precedence. Levels 5 (`in`)
   * and 6 (comparison and regex match) have their own rules. Table-driven rather than one
   * method per level: parsing is on the start-up path and closures per level cost GC time.
   */
  private parseLevel(level: number): A.Expr {
    if (level === LEVEL_ARRAY_IN) return this.parseArrayIn();
    if (level === LEVEL_COMPARISON) return this.parseComparisonOrRegex();
    if (level > LAST_LEVEL) return this.parseUnary();
    const ops = binaryLevels[level]!;
    let left = this.parseLevel(level + 1);
    let t = this.peek();
    while (t !== null && t.type === 'operator' && ops.ops.includes(t.content)) {
      this.next();
      const right = this.parseLevel(level + 1);
      left = { kind: ops.kind, tok: t, op: t.content, left, right } as A.Expr;
      t = this.peek();
    }
    return left;
  }

  private parseLogicalOr(): A.Expr {
    return this.parseLevel(0);
  }

  /** `a in b`, `[a, b] in c`, `[a, *] in c`: the index list is parsed before `in` is seen. */
  private parseArrayIn(): A.Expr {
    const indexes: (A.Expr | null)[] = [];
    let bracketed = false;
    if (this.peekOp('[')) {
      this.swallow();
      bracketed = true;
    }
    for (;;) {
      if (bracketed && this.peekOp('*')) {
        this.swallow();
        indexes.push(null);
      } else {
        indexes.push(this.parseComparisonOrRegex());
      }
      if (!bracketed) break;
      const t = this.peek();
      if (isOp(t, ',')) {
        this.swallow();
        continue;
      }
      if (isOp(t, ']')) {
        this.swallow();
        break;
      }
      throw perr('array_in:list', "expected ',' or ']'");
    }
    const t = this.peek();
    if (t && t.type === 'keyword' && t.content === 'in') {
      this.next();
      const base = this.parseIndexable();
      return { kind: 'array_in', tok: t, operand: { kind: 'arrayindex', tok: base.tok, base, indexes } };
    }
    if (indexes.length === 1) return indexes[0]!;
    throw perr('array_in:comma', 'unexpected comma-separated expression list');
  }

  private parseComparisonOrRegex(): A.Expr {
    let left = this.parseLevel(LEVEL_COMPARISON + 1);
    let t = this.peek();
    if (t && t.type === 'operator' && (t.content === '=~' || t.content === '!~')) {
      this.next();
      const right = this.parseLiteralString();
      return { kind: 'regex_query', tok: t, op: t.content as '=~' | '!~', left, right };
    }
    while (t && t.type === 'operator' && comparisonOps.has(t.content)) {
      this.next();
      left = { kind: 'comparison', tok: t, op: t.content, left, right: this.parseLevel(LEVEL_COMPARISON + 1) };
      t = this.peek();
    }
    return left;
  }

  private parseUnary(): A.Expr {
    const t = this.peek();
    if (t && t.type === 'operator' && (t.content === '+' || t.content === '-' || t.content === '!' || t.content === '~')) {
      this.next();
      return { kind: 'unary', tok: t, op: t.content, operand: this.parseUnary() };
    }
    return this.parseCrement();
  }

  private parseCrement(): A.Expr {
    let t = this.peek();
    if (t && t.type === 'operator' && (t.content === '++' || t.content === '--')) {
      this.next();
      return { kind: 'pre_crement', tok: t, op: t.content as '++' | '--', operand: this.parseDwarfValue() };
    }
    const operand = this.parseDwarfValue();
    t = this.peek();
    if (t && t.type === 'operator' && (t.content === '++' || t.content === '--')) {
      this.next();
      return { kind: 'post_crement', tok: t, op: t.content as '++' | '--', operand };
    }
    return operand;
  }

  /** A value, possibly a target expression: `&`, `$var`, `@cast`, `@var`, or `expr->member`. */
  private parseDwarfValue(): A.Expr {
    const addrTok = this.peekOp('&') ? this.next() : null;
    const addressof = addrTok !== null;
    let expr: A.Expr;
    let tsym: A.TargetExpr | null = null;
    const t = this.peek();
    if (t && t.type === 'identifier' && t.content[0] === '$') {
      expr = tsym = this.parseTargetSymbol();
    } else if (isOp(t, '@cast')) {
      expr = tsym = this.parseCastOp();
    } else if (isOp(t, '@var')) {
      expr = tsym = this.parseAtVarOp();
    } else if (addressof && !this.lexer.hasVersion('2.6')) {
      throw perr('dwarf_value:old-addr', 'expected @cast, @var or $var');
    } else {
      expr = this.parseValue();
      if (addressof && isTarget(expr)) {
        tsym = expr;
        if (tsym.addressof) throw perr('dwarf_value:addr-twice', 'cannot take address more than once', addrTok);
      }
    }
    if (!tsym && (addressof || this.peekTargetComponents()) && this.lexer.hasVersion('2.6')) {
      const tok = addrTok ?? this.peek()!;
      expr = tsym = { kind: 'autocast_op', tok, operand: expr, addressof: false, components: [] };
    }
    if (tsym) {
      tsym.addressof = addressof;
      this.parseTargetComponents(tsym);
    }
    return expr;
  }

  private parseValue(): A.Expr {
    const t = this.peek();
    if (!t) throw perr('value:eof', 'expected value');
    if (t.type === 'embedded') {
      if (!this.privileged) throw perr('value:embedded', 'embedded expression code in unprivileged script; need stap -g', null, false);
      this.next();
      return { kind: 'embedded_expr', tok: t, code: t.content };
    }
    if (isOp(t, '(')) {
      this.swallow();
      const e = this.parseExpression();
      const close = this.next();
      if (!isOp(close, ')')) throw perr('value:paren', "expected ')'");
      this.swallow();
      return e;
    }
    if (t.type === 'identifier' || (t.type === 'operator' && t.content[0] === '@')) return this.parseSymbol();
    return this.parseLiteral();
  }

  /** A histogram operator `@hist_linear(s, lo, hi, step)` / `@hist_log(s)`, or a bare name. */
  private parseHistOpOrBareName(): { tok: Token; name: string; hop: A.HistOp | null } {
    const t = this.next();
    if (!(t.type === 'identifier' || (t.type === 'operator' && t.content[0] === '@'))) {
      throw perr('expect_ident_or_atword', 'expected identifier or statistical operation');
    }
    const name = t.content;
    if (name !== '@hist_linear' && name !== '@hist_log') return { tok: t, name, hop: null };
    this.expectOp('(');
    const stat = this.parseExpression();
    const params: bigint[] = [];
    if (name === '@hist_linear') {
      for (let i = 0; i < 3; i++) {
        this.expectOp(',');
        params.push(this.expectNumber());
      }
    }
    this.expectOp(')');
    return { tok: t, name, hop: { kind: 'hist_op', tok: t, htype: name === '@hist_linear' ? 'linear' : 'log', stat, params } };
  }

  protected parseIndexable(): A.Indexable {
    const { tok, name, hop } = this.parseHistOpOrBareName();
    return hop ?? { kind: 'symbol', tok, name };
  }

  private parseSymbol(): A.Expr {
    let { tok: t, name, hop } = this.parseHistOpOrBareName();
    let sym: A.SymbolExpr | null = null;
    if (!hop) {
      switch (name) {
        case '@defined': return this.parseWrapped(t, (tok, operand) => ({ kind: 'defined_op', tok, operand }));
        case '@probewrite': return this.parseProbewrite(t);
        case '@const': return this.parseConst(t);
        case '@entry': return this.parseWrapped(t, (tok, operand) => ({ kind: 'entry_op', tok, operand }));
        case '@perf': return this.parsePerf(t);
      }
      if (this.lexer.hasVersion('4.0')) {
        if (name === '@kregister' || name === '@uregister') return this.parseTargetRegister(t);
        if (name === '@kderef' || name === '@uderef') return this.parseTargetDeref(t);
      }
      if (name[0] === '@') return this.parseStatOp(t, name);
      const pk = printKind(name);
      if (pk) return this.parsePrintFormat(t, name, pk);
      if (this.peekOp('(')) return this.parseCall(t, name);
      sym = { kind: 'symbol', tok: t, name };
    }
    if (this.peekOp('[')) {
      this.swallow();
      const indexes: (A.Expr | null)[] = [];
      for (;;) {
        if (this.peekOp('*')) {
          this.swallow();
          indexes.push(null);
        } else {
          indexes.push(this.parseExpression());
        }
        if (this.expectOpAny([']', ',']) === ']') break;
      }
      return { kind: 'arrayindex', tok: t, base: hop ?? sym!, indexes };
    }
    if (hop) throw perr('symbol:bare-hist', 'base histogram operator where expression expected', t);
    return sym!;
  }

  private parseStatOp(t: Token, name: string): A.StatOp {
    const ctype = statOps[name];
    if (!ctype) throw perr('stat_op:unknown', `unknown operator ${name}`);
    const maxParams = ctype === 'variance' ? 1 : 0;
    this.expectOp('(');
    const stat = this.parseExpression();
    const params: bigint[] = [];
    for (;;) {
      const n = this.next();
      if (isOp(n, ')')) {
        this.swallow();
        break;
      }
      if (isOp(n, ',')) {
        if (params.length >= maxParams) {
          const m = maxParams + 1;
          throw perr('stat_op:params', `not more than ${m} parameter${m === 1 ? '' : 's'} allowed`, n);
        }
        this.swallow();
        params.push(this.expectNumber());
      }
      // stap loops silently over any other token here; so do we.
    }
    return { kind: 'stat_op', tok: t, ctype, stat, params };
  }

  private parsePrintFormat(t: Token, name: string, pk: NonNullable<ReturnType<typeof printKind>>): A.PrintFormat {
    const fmt: A.PrintFormat = { kind: 'print_format', tok: t, name, ...pk, format: null, delimiter: null, hist: null, args: [] };
    this.expectOp('(');
    if ((name === 'print' || name === 'println' || name === 'sprint' || name === 'sprintln') &&
        (this.peekOp('@hist_linear') || this.peekOp('@hist_log'))) {
      // print(@hist_log(s)) prints the histogram; print(@hist_log(s)[i]) prints one bucket.
      const h = this.parseHistOpOrBareName();
      if (!this.peekOp('[')) {
        fmt.hist = h.hop;
      } else {
        this.expectOp('[');
        const index = this.parseExpression();
        this.expectOp(']');
        fmt.args.push({ kind: 'arrayindex', tok: h.tok, base: h.hop!, indexes: [index] });
        while (!this.peekOp(')')) {
          this.expectOpAny([',', ')']);
          fmt.args.push(this.parseExpression());
        }
      }
    } else {
      let minArgs = 0;
      let consumed = false;
      if (fmt.withFormat) {
        fmt.format = this.parseLiteralString().value;
        parseFormat(fmt.format);
        consumed = true;
      } else if (fmt.withDelim) {
        fmt.delimiter = this.parseLiteralString().value;
        consumed = true;
        minArgs = 2;
      } else if (!fmt.withNewline) {
        minArgs = 1;
      }
      while (minArgs || !this.peekOp(')')) {
        if (consumed) this.expectOpAny([',', ')']);
        fmt.args.push(this.parseExpression());
        consumed = true;
        if (minArgs) minArgs--;
      }
    }
    this.expectOp(')');
    return fmt;
  }

  private parseCall(t: Token, name: string): A.FunctionCall {
    this.swallow();
    const call: A.FunctionCall = { kind: 'functioncall', tok: t, name, args: [] };
    if (this.peekOp(')')) {
      this.swallow();
      return call;
    }
    for (;;) {
      call.args.push(this.parseExpression());
      if (this.expectOpAny([')', ',']) === ')') break;
    }
    return call;
  }

  private parseWrapped<T extends A.Expr>(t: Token, make: (tok: Token, operand: A.Expr) => T): T {
    this.expectOp('(');
    const operand = this.parseExpression();
    this.expectOp(')');
    return make(t, operand);
  }

  private parseProbewrite(t: Token): A.ProbewriteOp {
    this.expectOp('(');
    const name = this.expectUnknown('identifier');
    this.expectOp(')');
    return { kind: 'probewrite_op', tok: t, name };
  }

  private parseConst(t: Token): A.EmbeddedExpr {
    if (!this.privileged) throw perr('const:priv', 'using @const operator not permitted; need stap -g', null, false);
    this.expectOp('(');
    const c = this.expectUnknown('string');
    if (c === '') throw perr('const:empty', 'expected non-empty string');
    this.expectOp(')');
    return { kind: 'embedded_expr', tok: t, code: '/* pure */ /* unprivileged */ /* stable */ ' + c };
  }

  private parsePerf(t: Token): A.PerfOp {
    this.expectOp('(');
    const operand = this.parseLiteralString();
    if (operand.value === '') throw perr('perf:empty', 'expected non-empty string');
    this.expectOp(')');
    return { kind: 'perf_op', tok: t, operand };
  }

  private parseTargetRegister(t: Token): A.TargetRegister {
    const userspace = t.content[1] === 'u';
    if (!userspace && !this.privileged) throw perr('kregister:priv', 'using @kregister operator not permitted; need stap -g', null, false);
    this.expectOp('(');
    const regno = this.expectNumber();
    this.expectOp(')');
    return { kind: 'target_register', tok: t, userspace, regno };
  }

  private parseTargetDeref(t: Token): A.TargetDeref {
    const userspace = t.content[1] === 'u';
    if (!userspace && !this.privileged) throw perr('kderef:priv', 'using @kderef operator not permitted; need stap -g', null, false);
    this.expectOp('(');
    const size = this.expectNumber();
    this.expectOp(',');
    const addr = this.parseExpression();
    this.expectOp(')');
    return { kind: 'target_deref', tok: t, userspace, size, addr };
  }

  private parseTargetSymbol(): A.TargetSymbol {
    const t = this.next();
    return { kind: 'target_symbol', tok: t, name: t.content, addressof: false, components: [] };
  }

  private parseCastOp(): A.CastOp {
    const t = this.next();
    this.expectOp('(');
    const operand = this.parseExpression();
    this.expectOp(',');
    const typeName = this.expectUnknown('string');
    if (typeName === '') throw perr('cast:empty', 'expected non-empty string');
    let module = '';
    if (this.peekOp(',')) {
      this.swallow();
      module = this.expectUnknown('string');
    }
    this.expectOp(')');
    return { kind: 'cast_op', tok: t, operand, typeName, module, addressof: false, components: [] };
  }

  private parseAtVarOp(): A.AtVarOp {
    const t = this.next();
    this.expectOp('(');
    const targetName = this.expectUnknown('string');
    const at = targetName.indexOf('@');
    const cuName = at >= 0 ? targetName.slice(at + 1) : '';
    let module = '';
    if (this.peekOp(',')) {
      this.swallow();
      module = this.expectUnknown('string');
    }
    this.expectOp(')');
    return { kind: 'atvar_op', tok: t, targetName, cuName, module, addressof: false, components: [] };
  }

  private peekTargetComponents(): boolean {
    const t = this.peek();
    return t !== null && ((t.type === 'operator' && (t.content === '->' || t.content === '['))
      || (t.type === 'identifier' && /^\$+$/.test(t.content)));
  }

  /** `->member`, `[index]`, and the pretty-printing `$`/`$$` suffixes. */
  private parseTargetComponents(e: A.TargetExpr): void {
    let pprint = false;
    if (e.kind === 'target_symbol') {
      const m = /^(.*[^$])(\$+)$/.exec(e.name);
      if (m && m[1]!.length > 0) {
        e.name = m[1]!;
        e.components.push({ type: 'pretty', tok: e.tok, member: m[2]! });
        pprint = true;
      }
    }
    while (!pprint) {
      if (this.peekOp('->')) {
        const t = this.next();
        let member = this.expectUnknown2('identifier', 'keyword');
        const m = /^(.*?)(\$*)$/.exec(member)!;
        let pval = '';
        if (m[2]!.length > 0) {
          pval = m[2]!;
          member = m[1]!;
          pprint = true;
        }
        if (member !== '') e.components.push({ type: 'member', tok: t, member });
        if (pprint) e.components.push({ type: 'pretty', tok: t, member: pval });
      } else if (this.peekOp('[')) {
        const t = this.next();
        const index = this.parseExpression();
        if (index.kind === 'literal_number') e.components.push({ type: 'literal_index', tok: t, index: index.value });
        else e.components.push({ type: 'expr_index', tok: t, index });
        this.expectOp(']');
      } else {
        break;
      }
    }
    if (!pprint) {
      const t = this.peek();
      if (t && t.type === 'identifier' && /^\$+$/.test(t.content)) {
        this.next();
        e.components.push({ type: 'pretty', tok: t, member: t.content });
        pprint = true;
      }
    }
    if (pprint && (this.peekOp('->') || this.peekOp('['))) {
      throw perr('target:pprint', '-> and [ are not accepted for a pretty-printing variable');
    }
  }

  parseLiteralString(): A.LiteralString {
    const t = this.next();
    if (t.type !== 'string') throw perr('literal_string', 'expected literal string');
    return this.consumeStringLiterals(t);
  }

  parseLiteral(): A.Literal {
    let t = this.next();
    if (t.type === 'string') return this.consumeStringLiterals(t);
    let neg = false;
    if (t.type === 'operator' && t.content === '-') {
      neg = true;
      this.swallow();
      t = this.next();
    }
    if (t.type !== 'number') throw perr('literal:expected', 'expected literal string or number');
    return { kind: 'literal_number', tok: t, value: this.checkedNumber(t.content, neg, 'literal:range') };
  }
}

function isTarget(e: A.Expr): e is A.TargetExpr {
  return e.kind === 'target_symbol' || e.kind === 'cast_op' || e.kind === 'atvar_op' || e.kind === 'autocast_op';
}
