// The file-level parser (pass 1): probes, aliases, globals, functions and embedded C, with
// stap's error recovery (report, skip to the next top-level keyword, go on) and summary.

import { ParseError } from '../diag/errors.js';
import { SourceFile } from '../diag/source.js';
import type * as A from './ast.js';
import { perr } from './cursor.js';
import type { ParseEnv } from './env.js';
import { Lexer } from './lexer.js';
import { StmtParser } from './parse-stmt.js';
import { Preprocessor } from './preprocessor.js';
import { isKw, isOp, type Token } from './token.js';

export interface ParseOptions {
  /** Embedded C and guru-only operators allowed: -g for user scripts, always for tapsets. */
  privileged: boolean;
  /** A user's script (as opposed to a tapset): empty files are errors, functions get priority 0. */
  userFile: boolean;
  /** Tapset errors are reported but not counted (stap's pf_squash_errors). */
  errorsAsWarnings?: boolean;
  /** The built-in tapset ignores --compatible. */
  noCompatible?: boolean;
  /** The tapset lives under a PATH directory: its probe points remember the file. */
  autoPath?: boolean;
}

const topLevelKeywords = new Set(['probe', 'private', 'global', 'function']);

export class Parser extends StmtParser {
  numErrors = 0;

  constructor(
    readonly file: SourceFile,
    private readonly env: ParseEnv,
    private readonly opts: ParseOptions,
  ) {
    const lexer = new Lexer(file, env, !opts.noCompatible);
    super(lexer, new Preprocessor(lexer, env), opts.privileged);
  }

  private report(pe: ParseError, asWarning = false): void {
    this.env.reporter.parseError(pe, pe.tok ?? this.lastT, this.file.name, asWarning);
    this.numErrors++;
  }

  /** Parses the whole file; null (after printing diagnostics) if it had errors or was empty. */
  parseFile(): A.StapFile | null {
    const f: A.StapFile = {
      name: this.file.name, privileged: this.privileged, synthetic: false,
      embeds: [], globals: [], aliases: [], probes: [], functions: [],
    };
    let empty = true;
    for (;;) {
      try {
        this.pp.systemtapVSeen = null;
        const t = this.peek();
        if (!t) break;
        empty = false;
        if (isKw(t, 'probe')) {
          this.context = 'probe';
          this.parseProbe(f);
        } else if (isKw(t, 'private')) {
          this.context = 'unknown';
          this.parsePrivate(f);
        } else if (isKw(t, 'global')) {
          this.context = 'global';
          this.next();
          this.swallow();
          this.parseGlobals(f, null, false);
        } else if (isKw(t, 'function')) {
          this.context = 'function';
          this.next();
          this.swallow();
          this.parseFunction(f, false);
        } else if (t.type === 'embedded') {
          this.context = 'embedded';
          f.embeds.push(this.parseEmbeddedCode());
        } else {
          this.context = 'unknown';
          throw perr('file', "expected 'probe', 'global', 'private', 'function', or '%{'");
        }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.report(e, this.opts.errorsAsWarnings);
        if (e.skipSome) this.skipToTopLevel();
      }
    }
    if (empty && this.opts.userFile) {
      this.env.reporter.line(this.lexer.sawTokens
        ? `Input file '${this.file.name}' is empty after preprocessing.`
        : `Input file '${this.file.name}' is empty.`);
      return null;
    }
    if (this.numErrors > 0) {
      this.env.reporter.line(`${this.numErrors} parse error${this.numErrors === 1 ? '' : 's'}.`);
      return null;
    }
    return f;
  }

  /** Recovery: drop tokens until one that can start a top-level declaration. */
  private skipToTopLevel(): void {
    for (;;) {
      try {
        const t = this.peek();
        if (!t) return;
        if ((t.type === 'keyword' && topLevelKeywords.has(t.content)) || t.type === 'embedded') return;
        this.swallow();
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.report(e);
      }
    }
  }

  /** Parses a .stpm library macro file: only @define may produce nothing else. */
  parseLibraryMacros(): Map<string, A.ProbePoint> | null {
    try {
      const t = this.pp.next();
      if (t !== null) throw perr('library_macros', `unexpected token in library macro file '${this.file.name}'`, t);
      for (const [name, decl] of this.pp.macros) {
        const earlier = this.env.libraryMacros.get(name);
        if (earlier) {
          const er = perr('library_macros:dup', `duplicate definition of library macro '@${name}'`, decl.tok);
          er.chain = perr('library_macros:first', `macro '@${name}' first defined here`, earlier.tok);
          this.report(er);
          return null;
        }
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.report(e, this.opts.errorsAsWarnings);
      return null;
    }
    for (const [name, decl] of this.pp.macros) this.env.libraryMacros.set(name, { ...decl, context: 'library' });
    return new Map();
  }

  private parseProbe(f: A.StapFile): void {
    const t0 = this.next();
    const aliases: A.ProbePoint[] = [];
    const locations: A.ProbePoint[] = [];
    let epilogue = false;
    for (;;) {
      const pps = this.parseProbePoints();
      const t = this.peek();
      if (pps.length === 1 && (isOp(t, '=') || isOp(t, '+='))) {
        if (pps[0]!.optional || pps[0]!.sufficient) {
          throw perr('probe:alias-optional', 'probe point alias name cannot be optional nor sufficient', pps[0]!.components[0]!.tok);
        }
        aliases.push(pps[0]!);
        if (t!.content === '+=') epilogue = true;
        this.swallow();
        continue;
      }
      if (isOp(t, '{')) {
        locations.push(...pps);
        break;
      }
      throw perr('probe:point', 'expected probe point specifier');
    }
    if (aliases.length === 0) {
      const body = this.parseStmtBlock();
      f.probes.push({ tok: t0, locations, body, privileged: this.privileged, systemtapV: this.pp.systemtapVSeen });
      return;
    }
    const alias: A.ProbeAlias = {
      tok: t0, locations, body: this.parseStmtBlock(), privileged: this.privileged, systemtapV: null,
      aliasNames: aliases, epilogue, body2: null,
    };
    if (this.peek()?.content === ',') {
      if (epilogue) throw perr('probe:combined', "Combined prologue and epilogue cannot be defined with '+='");
      this.swallow();
      alias.body2 = this.parseStmtBlock();
    }
    alias.systemtapV = this.pp.systemtapVSeen;
    f.aliases.push(alias);
  }

  private parseEmbeddedCode(): A.EmbeddedCode {
    const t = this.next();
    if (t.type !== 'embedded') throw perr('embedded:expected', "expected '%{'");
    if (!this.privileged) throw perr('embedded:priv', 'embedded code in unprivileged script; need stap -g', null, false);
    return { kind: 'embeddedcode', tok: t, code: t.content };
  }

  private parsePrivate(f: A.StapFile): void {
    this.next();
    this.swallow();
    const t = this.next();
    if (isKw(t, 'function')) {
      this.swallow();
      this.context = 'function';
      this.parseFunction(f, true);
    } else if (isKw(t, 'global')) {
      this.swallow();
      this.context = 'global';
      const name = this.next();
      if (name.type !== 'identifier') throw perr('private:ident', 'expected identifier');
      this.parseGlobals(f, name, true);
    } else if (t.type === 'identifier') {
      this.context = 'global';
      this.parseGlobals(f, t, true);
    } else {
      throw perr('private', "expected 'function' or identifier");
    }
  }

  /** `global a, b[10], c% = 1;` — `first` is an already-read name (after `private`). */
  private parseGlobals(f: A.StapFile, first: Token | null, priv: boolean): void {
    let pending = first;
    for (;;) {
      const t = pending ?? this.next();
      pending = null;
      if (t.type !== 'identifier') throw perr('global:ident', 'expected identifier');
      for (const g of f.globals) {
        if (g.name === t.content && g.private === priv) throw perr('global:dup', 'duplicate global name');
        if (g.name === t.content) throw perr('global:conflict', 'global versus private variable declaration conflict');
      }
      const d: A.VarDecl = {
        tok: t, name: t.content, type: 'unknown', private: priv, wrap: false, maxSize: 0, init: null,
        systemtapV: this.pp.systemtapVSeen,
      };
      f.globals.push(d);
      let n = this.peek();
      if (isOp(n, '%')) {
        d.wrap = true;
        this.swallow();
        n = this.peek();
      }
      if (isOp(n, '[')) {
        this.swallow();
        const size = this.expectNumber();
        if (size <= 0n || size > 0x7fffffffn) throw perr('global:size', 'array size out of range');
        d.maxSize = Number(size);
        this.expectKnown('operator', ']');
        n = this.peek();
      }
      if (isOp(n, '=')) {
        // A declared size makes it an array (stap's compatible_arity), which cannot be initialized.
        if (d.maxSize > 0) throw perr('global:init-array', 'only scalar globals can be initialized');
        this.next();
        d.init = this.parseLiteral();
        d.type = d.init.kind === 'literal_number' ? 'long' : 'string';
        n = this.peek();
      }
      if (isOp(n, ';')) {
        this.swallow();
        return;
      }
      if (isOp(n, ',')) {
        this.swallow();
        continue;
      }
      return;
    }
  }

  private parseType(site: string): A.ExpType {
    const t = this.next();
    let type: A.ExpType;
    if (isKw(t, 'string')) type = 'string';
    else if (isKw(t, 'long')) type = 'long';
    else throw perr(site, "expected 'string' or 'long'");
    this.swallow();
    return type;
  }

  private parseFunction(f: A.StapFile, priv: boolean): void {
    let t = this.next();
    if (!(t.type === 'identifier' || isKw(t, 'string') || isKw(t, 'long'))) throw perr('function:name', 'expected identifier');
    const fd: A.FunctionDecl = {
      tok: t, name: t.content, type: 'unknown', private: priv, params: [], body: null as unknown as A.Block,
      priority: 1, systemtapV: null,
    };
    t = this.next();
    if (isOp(t, ':')) {
      this.swallow();
      fd.type = this.parseType('function:type');
      t = this.next();
    }
    if (!isOp(t, '(')) throw perr('function:open', "expected '('");
    this.swallow();
    for (;;) {
      t = this.next();
      if (isOp(t, ')')) {
        this.swallow();
        break;
      }
      if (t.type !== 'identifier') throw perr('function:param', 'expected identifier');
      if (fd.params.some((p) => p.name === t.content)) throw perr('function:dup-param', 'duplicate parameter names');
      const vd: A.VarDecl = {
        tok: t, name: t.content, type: 'unknown', private: false, wrap: false, maxSize: 0, init: null, systemtapV: null,
      };
      fd.params.push(vd);
      fd.systemtapV = this.pp.systemtapVSeen;
      t = this.next();
      if (isOp(t, ':')) {
        this.swallow();
        vd.type = this.parseType('function:param-type');
        t = this.next();
      }
      if (isOp(t, ')')) {
        this.swallow();
        break;
      }
      if (isOp(t, ',')) {
        this.swallow();
        continue;
      }
      throw perr('function:comma', "expected ',' or ')'");
    }
    t = this.peek()!;
    if (isOp(t, ':')) {
      this.swallow();
      const lit = this.parseLiteral();
      if (lit.kind !== 'literal_number') throw perr('function:priority-literal', 'expected literal number');
      if (lit.value < 1n) throw perr('function:priority-range', 'specified priority must be > 0');
      fd.priority = Number(lit.value);
    } else if (this.opts.userFile) {
      fd.priority = 0;
    }
    t = this.peek()!;
    fd.body = t && t.type === 'embedded' ? this.parseEmbeddedCode() : this.parseStmtBlock();
    f.functions.push(fd);
  }

  private parseProbePoints(): A.ProbePoint[] {
    const pps: A.ProbePoint[] = [];
    for (;;) {
      pps.push(...this.parseComponents());
      const t = this.peek();
      if (isOp(t, ',')) {
        this.swallow();
        continue;
      }
      if (isOp(t, '{') || isOp(t, '=') || isOp(t, '+=') || isOp(t, '}')) return pps;
      throw perr('probe_points', "expected one of ', { } = +='");
    }
  }

  /** A dotted probe point; `{a,b}.c` braces multiply out into several points. */
  private parseComponents(): A.ProbePoint[] {
    let pps: A.ProbePoint[] = [];
    for (;;) {
      const suffix = this.parseComponent();
      if (pps.length === 0) {
        pps = suffix;
      } else {
        const product: A.ProbePoint[] = [];
        for (const p of pps) {
          if (p.optional || p.sufficient || p.condition) {
            throw perr('components:suffix', "'?', '!' or condition must only be specified in suffix", p.components[0]!.tok);
          }
          for (const s of suffix) {
            product.push({
              components: [...p.components, ...s.components], optional: s.optional, sufficient: s.sufficient,
              condition: s.condition, autoPath: this.opts.autoPath ? s.autoPath : null,
            });
          }
        }
        pps = product;
      }
      let t = this.peek();
      if (isOp(t, '.')) {
        this.swallow();
        continue;
      }
      if (isOp(t, '?') || isOp(t, '!')) {
        for (const p of pps) {
          if (p.optional || p.sufficient) throw perr('components:respecified', "'?' or '!' respecified");
          p.optional = true;
          if (t!.content === '!') p.sufficient = true;
        }
        this.swallow();
        t = this.peek();
      }
      if (isKw(t, 'if')) {
        this.swallow();
        if (!this.peekOp('(')) throw perr('components:if-open', "expected '('");
        this.swallow();
        const e = this.parseExpression();
        for (const p of pps) {
          if (p.condition) throw perr('components:cond-respecified', 'condition respecified');
          p.condition = e;
        }
        if (!this.peekOp(')')) throw perr('components:if-close', "expected ')'");
        this.swallow();
      }
      return pps;
    }
  }

  private parseComponent(): A.ProbePoint[] {
    const t = this.next();
    if (!(t.type === 'identifier' || t.type === 'keyword' || isOp(t, '*') || isOp(t, '{'))) {
      throw perr('component', "expected identifier or '*' or '{'");
    }
    if (isOp(t, '{')) {
      this.swallow();
      const pps = this.parseProbePoints();
      if (!this.peekOp('}')) throw perr('component:close', "expected '}'");
      this.swallow();
      return pps;
    }
    // Glue adjacent pieces of a wildcard name: sys_* or *_read are several tokens.
    let functor = t.content;
    for (;;) {
      const u = this.peek();
      if (u === null || this.lexer.ateWhitespace) break;
      if (!(u.type === 'identifier' || u.type === 'keyword' || isOp(u, '*'))) break;
      functor += u.content;
      this.swallow();
    }
    const c: A.ProbePointComponent = { tok: { ...t, content: functor }, functor, arg: null };
    const pp: A.ProbePoint = {
      components: [c], optional: false, sufficient: false, condition: null,
      autoPath: this.opts.autoPath ? this.file.name : null,
    };
    if (this.peekOp('(')) {
      this.swallow();
      c.arg = this.parseLiteral();
      const close = this.next();
      if (!isOp(close, ')')) throw perr('component:arg-close', "expected ')'");
      this.swallow();
    }
    return [pp];
  }
}
