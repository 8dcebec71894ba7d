// The preprocessor between lexer and parser, as stap 4.8 does it in two layers:
// 1. macros: `@define name(a,b) %( body %)` definitions and `@name(x,y)` expansion
//    (parameters are closures evaluated where the macro was invoked);
// 2. conditionals: `%( cond [&&|| cond] %? then %: else %)`, skipping untaken tokens unparsed.

import { ParseError } from '../diag/errors.js';
import { evalCondition } from './conditionals.js';
import type { MacroDecl, ParseEnv } from './env.js';
import { builtinAtWords, type Lexer } from './lexer.js';
import { chained, isOp, type Token } from './token.js';

interface ParamDecl extends MacroDecl {
  /** The activation whose parameters this argument's tokens see (null at top level). */
  parentAct: Activation | null;
}

interface Activation {
  tok: Token;
  cursor: number;
  params: Map<string, ParamDecl>;
  macro: MacroDecl;
}

type CondState = 'keep_then' | 'skip_then' | 'keep_else' | 'skip_else';

const E = (site: string, msg: string, tok: Token | null = null) => new ParseError(`pp:${site}`, msg, tok);

/** Deeper nesting than this is a macro that invokes itself: stap would expand it forever. */
export const MAX_MACRO_DEPTH = 1000;

export class Preprocessor {
  /** Macros defined in this file (stap's pp1_namespace). */
  readonly macros = new Map<string, MacroDecl>();
  private readonly acts: Activation[] = [];
  private readonly conds: { tok: Token; state: CondState }[] = [];
  private readonly atWords: Set<string>;
  /** The systemtap_v token of the last condition that tested it (stap records it on decls). */
  systemtapVSeen: Token | null = null;

  constructor(private readonly lexer: Lexer, private readonly env: ParseEnv) {
    this.atWords = builtinAtWords((v) => lexer.hasVersion(v));
  }

  /** The next token after macro expansion and conditionals, or null at end of input. */
  next(): Token | null {
    for (;;) {
      const top = this.conds.length ? this.conds[this.conds.length - 1]! : null;
      const state = top ? top.state : null;
      const t = state === 'skip_then' || state === 'skip_else' ? this.skipUntaken() : this.expand(false);
      if (t === null) {
        if (top) {
          this.conds.pop();
          throw E('eof-in-cond', 'incomplete conditional at end of file', top.tok);
        }
        return null;
      }
      if (isOp(t, '%?')) throw E('then', "incomplete conditional - missing '%('", t);
      if (isOp(t, '%:')) {
        if (!top) throw E('else', "incomplete conditional - missing '%('", t);
        if (state === 'keep_else' || state === 'skip_else') throw E('dup-else', "invalid conditional - duplicate '%:'", t);
        top.state = state === 'keep_then' ? 'skip_else' : 'keep_else';
        continue;
      }
      if (isOp(t, '%)')) {
        if (!top) throw E('close', "incomplete conditional - missing '%('", t);
        this.conds.pop();
        continue;
      }
      if (!isOp(t, '%(')) return t;
      this.conds.push({ tok: t, state: this.evalConditionList(t) ? 'keep_then' : 'skip_then' });
    }
  }

  /** `l op r [&& ...] [|| ...] %?`: && binds tighter than ||, every comparison is evaluated. */
  private evalConditionList(open: Token): boolean {
    let result = false;
    let andResult = true;
    let n: Token | null;
    for (;;) {
      const l = this.expand(false);
      const op = this.expand(false);
      const r = this.expand(false);
      if (!l || !op || !r) throw E('incomplete-cond', "incomplete condition after '%('", open);
      andResult = evalCondition(this.env, l, op, r) && andResult;
      if (l.content === 'systemtap_v') this.systemtapVSeen = r;
      n = this.expand(false);
      if (isOp(n, '&&')) continue;
      result = result || andResult;
      andResult = true;
      if (!isOp(n, '||')) break;
    }
    if (!isOp(n, '%?')) throw E('no-then', "expected '%?' marker for conditional", open);
    return result;
  }

  /** Skips an untaken branch, heeding only nested %( %) and ignoring errors inside it. */
  private skipUntaken(): Token | null {
    let nesting = 0;
    for (;;) {
      let t: Token | null;
      try {
        t = this.expand(true);
      } catch (e) {
        if (e instanceof ParseError) continue;
        throw e;
      }
      if (!t) return null;
      if (isOp(t, '%(')) nesting++;
      else if (nesting && isOp(t, '%)')) nesting--;
      else if (!nesting && (isOp(t, '%:') || isOp(t, '%?') || isOp(t, '%)'))) return t;
    }
  }

  /** The next raw token: from the innermost macro body being expanded, else the lexer. */
  private raw(): Token | null {
    const act = this.acts[this.acts.length - 1];
    if (!act) return this.lexer.scan();
    if (act.cursor < act.macro.body.length) return chained(act.macro.body[act.cursor++]!, act.tok);
    return null;
  }

  /** stap's scan_pp1: handles @define and macro invocations, returns ordinary tokens. */
  private expand(ignoreMacros: boolean): Token | null {
    for (;;) {
      const t = this.raw();
      if (t === null) {
        if (!this.acts.length) return null;
        this.acts.pop();
        continue;
      }
      if (isOp(t, '@define') && !ignoreMacros) {
        if (this.acts.length) throw E('define-in-macro', "'@define' forbidden inside macro body", t);
        this.define();
        continue;
      }
      if (t.type === 'operator' && t.content[0] === '@') {
        const name = t.content.slice(1);
        const act = this.acts[this.acts.length - 1] ?? null;
        let decl: MacroDecl | undefined = act?.params.get(name);
        if (!decl && !(act && act.macro.context === 'library')) decl = this.macros.get(name);
        if (!decl) decl = this.env.libraryMacros.get(name);
        if (!decl) return t; // an ordinary @operator such as @cast
        this.invoke(t, name, decl, act);
        continue;
      }
      return t;
    }
  }

  private define(): void {
    let t = this.lexer.scan();
    if (!(t && t.type === 'identifier')) throw E('define-name', 'expected identifier', t);
    const name = t.content;
    const earlier = this.macros.get(name);
    if (earlier) {
      const er = E('redefine', `attempt to redefine macro '@${name}' in the same file`, t);
      er.chain = E('first-defined', `macro '@${name}' first defined here`, earlier.tok);
      throw er;
    }
    if (name === 'define') throw E('redefine-define', "attempt to redefine '@define'", t);
    if (this.atWords.has(name)) this.env.reporter.warning(`macro redefines built-in operator '@${name}'`, t);
    const decl: MacroDecl = { tok: t, name, formalArgs: [], body: [], context: 'local' };
    this.macros.set(name, decl);

    let sawParams = false;
    t = this.lexer.scan();
    if (isOp(t, '(')) {
      sawParams = true;
      for (;;) {
        t = this.lexer.scan();
        if (!(t && t.type === 'identifier')) throw E('define-param', 'expected identifier', t);
        decl.formalArgs.push(t.content);
        t = this.lexer.scan();
        if (isOp(t, ',')) continue;
        if (isOp(t, ')')) {
          t = this.lexer.scan();
          break;
        }
        throw E('define-comma', "expected ',' or ')'", t);
      }
    }
    if (!isOp(t, '%(')) throw E('define-body', sawParams ? "expected '%('" : "expected '%(' or '('", t);
    if (!this.slurpBody(decl.body)) throw E('define-unclosed', "incomplete macro definition - missing '%)'", decl.tok);
  }

  private invoke(t: Token, name: string, decl: MacroDecl, act: Activation | null): void {
    const newAct: Activation = { tok: t, cursor: 0, params: new Map(), macro: decl };
    const nparams = decl.formalArgs.length;
    const closure = (decl as ParamDecl).parentAct !== undefined;
    if (nparams === 0 && closure) {
      // A parameter is expanded where the macro was invoked: with its caller's bindings.
      const parent = (decl as ParamDecl).parentAct;
      if (parent) newAct.params = parent.params;
    } else if (nparams > 0) {
      let s = this.raw();
      if (!isOp(s, '(')) {
        throw E('invoke-paren', `expected '(' in invocation of macro '@${name}' taking ${nparams} parameter${nparams === 1 ? '' : 's'}`, s);
      }
      for (let i = 0; i < nparams; i++) {
        const p: ParamDecl = { tok: t, name: decl.formalArgs[i]!, formalArgs: [], body: [], context: 'local', parentAct: act };
        newAct.params.set(p.name, p);
        s = this.slurpParam(p.body);
        if (s === null) throw E('invoke-eof', 'could not find end of macro invocation', t);
        if (isOp(s, ',')) {
          if (i + 1 === nparams) throw E('too-many', `too many parameters for macro '@${name}' (expected ${nparams})`, s);
        } else if (i + 1 !== nparams) {
          throw E('too-few', `too few parameters for macro '@${name}' (expected ${nparams})`, s);
        }
      }
    }
    if (this.acts.length >= MAX_MACRO_DEPTH) {
      this.acts.length = 0; // abandon the whole runaway expansion, go on with the file
      throw E('too-deep', `macro '@${name}' expands recursively (more than ${MAX_MACRO_DEPTH} nested expansions)`, t);
    }
    this.acts.push(newAct);
  }

  /** One argument of an invocation: up to an unbracketed ',' or ')', which is returned. */
  private slurpParam(body: Token[]): Token | null {
    let nesting = 0;
    for (;;) {
      const t = this.raw();
      if (!t) return null;
      if (isOp(t, '(') || isOp(t, '[')) nesting++;
      else if (nesting && (isOp(t, ')') || isOp(t, ']'))) nesting--;
      else if (!nesting && (isOp(t, ')') || isOp(t, ','))) return t;
      body.push(t);
    }
  }

  /** A macro body up to its matching '%)'; false if the input ends first. */
  private slurpBody(body: Token[]): boolean {
    let nesting = 0;
    for (;;) {
      const t = this.raw();
      if (!t) return false;
      if (isOp(t, '%(')) nesting++;
      else if (nesting && isOp(t, '%)')) nesting--;
      else if (!nesting && isOp(t, '%)')) return true;
      body.push(t);
    }
  }
}
