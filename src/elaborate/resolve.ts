// Symbol resolution (stap's symresolution_info): binds every variable reference to a local,
// parameter or global and every call to a function, creating locals on first use and pulling
// in library files that define what the script uses.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { Token } from '../parse/token.js';
import type { Library } from './library.js';
import type { Bindings, Func, Var, VarType } from './model.js';
import { suggest } from './suggest.js';
import { newVar, setArity } from './vars.js';

export interface IntrinsicSignature {
  params: VarType[];
  /** Parameter names as stap's tapset declares them (for -p2). */
  names?: string[];
  ret: VarType;
}

export type IntrinsicLookup = (name: string, nargs: number) => IntrinsicSignature | null;

interface Scope {
  locals: Var[];
  params: Var[] | null;
}

export class Resolver {
  readonly globals: Var[] = [];
  readonly functions: Func[] = [];
  private readonly globalsByDecl = new Map<A.VarDecl, Var>();
  private readonly funcsByDecl = new Map<A.FunctionDecl, Func>();
  private readonly intrinsicFuncs = new Map<string, Func>();
  private scope: Scope | null = null;
  /** Files whose globals and functions are visible (user files and chosen tapsets). */
  readonly visibleFiles: A.StapFile[];
  /** Called when a library file is pulled in (its probes must be derived too). */
  onChoose: (f: A.StapFile) => void = () => {};

  constructor(
    userFiles: A.StapFile[],
    private readonly library: Library,
    private readonly intrinsics: IntrinsicLookup,
    readonly bindings: Bindings,
  ) {
    // Globals join the program when first used (stap's find_var), so `globals` is in
    // first-use order: the order of the end-of-run display.
    this.visibleFiles = [...userFiles];
  }

  private declareGlobal(d: A.VarDecl, library: boolean): Var {
    let v = this.globalsByDecl.get(d);
    if (!v) {
      v = newVar(d.name, 'global', d.tok, d, library);
      this.globalsByDecl.set(d, v);
      this.globals.push(v);
    }
    return v;
  }

  private choose(file: A.StapFile): void {
    if (this.library.chosen.has(file) || this.visibleFiles.includes(file)) return;
    this.library.chosen.add(file);
    this.visibleFiles.push(file);
    this.onChoose(file);
  }

  /** Resolves a derived probe's body (and condition) with `locals` as its local scope. */
  resolveProbe(body: A.Stmt, locals: Var[], condition: A.Expr | null): void {
    if (condition) {
      this.scope = null;
      this.visit(condition);
    }
    this.scope = { locals, params: null };
    try {
      this.visit(body);
    } finally {
      this.scope = null;
    }
  }

  resolveFunction(f: Func): void {
    if (!f.decl || f.decl.body.kind !== 'block') return;
    const saved = this.scope; // calls resolve their callee in the middle of the caller
    this.scope = { locals: f.locals, params: f.params };
    try {
      this.visit(f.decl.body);
    } finally {
      this.scope = saved;
    }
  }

  private findVar(name: string, arity: number, tok: Token): Var | null {
    if (this.scope) {
      const local = this.scope.locals.find((v) => v.name === name);
      if (local) {
        setArity(local, arity, tok);
        return local;
      }
      if (arity === 0 && this.scope.params) {
        const p = this.scope.params.find((v) => v.name === name);
        if (p) {
          setArity(p, 0, tok);
          return p;
        }
      }
    }
    // A tapset's code sees only tapsets' globals: a local of a library function named like one
    // of the script's globals stays a local (stap would bind it, with a cross-file warning).
    const fromLibrary = this.visibleFiles.some((f) => f.name === tok.file.name && this.library.isLibrary(f));
    for (const file of this.visibleFiles) {
      if (fromLibrary && !this.library.isLibrary(file)) continue;
      for (const d of file.globals) {
        if (d.name !== name || (d.private && file.name !== tok.file.name)) continue;
        const v = this.declareGlobal(d, this.library.isLibrary(file));
        setArity(v, arity, tok);
        return v;
      }
    }
    const lib = this.library.global(name);
    if (lib && !(lib.decl.private && lib.file.name !== tok.file.name)) {
      this.choose(lib.file);
      const v = this.declareGlobal(lib.decl, true);
      setArity(v, arity, tok);
      return v;
    }
    return null;
  }

  private bindScalar(e: A.SymbolExpr): void {
    if (this.bindings.vars.has(e)) return;
    let v = this.findVar(e.name, 0, e.tok);
    if (!v) {
      if (!this.scope) throw new SemanticError('symbol:cond', 'probe condition must not reference undeclared global', e.tok);
      v = newVar(e.name, 'local', e.tok);
      setArity(v, 0, e.tok);
      this.scope.locals.push(v);
    }
    this.bindings.vars.set(e, v);
  }

  private bindArray(base: A.SymbolExpr, arity: number, tok: Token): void {
    if (this.bindings.vars.has(base)) return;
    const v = this.findVar(base.name, arity, base.tok);
    if (!v) throw new SemanticError('arrayindex:unresolved', `unresolved arity-${arity} global array ${base.name}, missing global declaration?`, tok);
    this.bindings.vars.set(base, v);
  }

  private visitArrayIndex(e: A.ArrayIndex, wildcardOk: boolean): void {
    for (const i of e.indexes) {
      if (i === null) {
        if (!wildcardOk) throw new SemanticError('arrayindex:wildcard', 'wildcard not allowed in array index', e.tok);
      } else {
        this.visit(i);
      }
    }
    if (e.base.kind === 'symbol') this.bindArray(e.base, e.indexes.length, e.tok);
    else this.visit(e.base);
  }

  private visit(n: Node): void {
    switch (n.kind) {
      case 'symbol':
        this.bindScalar(n);
        return;
      case 'arrayindex':
        this.visitArrayIndex(n, false);
        return;
      case 'array_in':
        this.visitArrayIndex(n.operand, true);
        return;
      case 'hist_op':
      case 'stat_op':
        this.visitStatOperand(n.stat);
        return;
      case 'foreach_loop': {
        if (n.base.kind === 'symbol') this.bindArray(n.base, n.indexes.length, n.tok);
        else this.visit(n.base);
        for (const s of n.arraySlice) if (s) this.visit(s);
        for (const i of n.indexes) this.visit(i);
        if (n.value) this.visit(n.value);
        if (n.limit) this.visit(n.limit);
        this.visit(n.body);
        return;
      }
      case 'delete_statement':
        if (n.value.kind === 'symbol') {
          const v = this.findVar(n.value.name, -1, n.value.tok);
          if (!v) throw new SemanticError('delete:unresolved', 'unresolved array in delete statement', n.value.tok);
          this.bindings.vars.set(n.value, v);
        } else if (n.value.kind === 'arrayindex') {
          this.visitArrayIndex(n.value, true);
        } else {
          this.visit(n.value);
        }
        return;
      case 'functioncall':
        for (const a of n.args) this.visit(a);
        this.bindings.calls.set(n, this.findFunction(n));
        return;
      default:
        forEachChild(n, (c) => this.visit(c));
    }
  }

  /** A statistic operand: a global (any arity), or one element of a global array. */
  private visitStatOperand(e: A.Expr): void {
    if (e.kind === 'symbol') {
      if (this.bindings.vars.has(e)) return;
      const v = this.findVar(e.name, 0, e.tok);
      if (!v) throw new SemanticError('stat:unresolved', `unresolved arity-0 global array ${e.name}, missing global declaration?`, e.tok);
      this.bindings.vars.set(e, v);
    } else {
      this.visit(e);
    }
  }

  /**
   * The library function `name` taking `arity` arguments, resolved (with what it calls) as if a
   * script called it; null when the library has none.
   */
  resolveLibraryFunction(name: string, arity: number, tok: Token): Func | null {
    if (!this.library.functions(name).some((c) => c.decl.params.length === arity)) return null;
    const args = Array.from({ length: arity }, (): A.Expr => ({ kind: 'literal_number', tok, value: 0n } as A.Expr));
    return this.findFunction({ kind: 'functioncall', tok, name, args });
  }

  private findFunction(call: A.FunctionCall): Func {
    const nargs = call.args.length;
    const candidates: { file: A.StapFile; decl: A.FunctionDecl; library: boolean }[] = [];
    for (const file of this.visibleFiles) {
      for (const decl of file.functions) {
        if (decl.name === call.name && !(decl.private && file.name !== call.tok.file.name)) {
          candidates.push({ file, decl, library: this.library.isLibrary(file) });
        }
      }
    }
    if (!candidates.some((c) => c.decl.params.length === nargs)) {
      for (const c of this.library.functions(call.name)) {
        if (c.decl.private && c.file.name !== call.tok.file.name) continue;
        candidates.push({ ...c, library: true });
      }
    }
    const byArity = candidates.filter((c) => c.decl.params.length === nargs);
    if (byArity.length > 0) {
      // Lowest priority number wins: a script's own definition (0) overrides the library's.
      byArity.sort((a, b) => a.decl.priority - b.decl.priority);
      const chain = byArity.map((c) => {
        if (c.library) this.choose(c.file);
        return this.funcFor(c.decl, c.library);
      });
      chain[0]!.overloads = chain;
      return chain[0]!;
    }
    const sig = this.intrinsics(call.name, nargs);
    if (sig) return this.intrinsicFunc(call, sig);
    if (candidates.length > 0 || this.intrinsics(call.name, -1)) {
      const takes = candidates[0]?.decl.params.length ?? this.intrinsics(call.name, -1)!.params.length;
      throw new SemanticError('functioncall:arity', `arity mismatch found (function '${call.name}' takes ${takes} args)`, call.tok);
    }
    const names = [...this.visibleFiles.flatMap((f) => f.functions.map((fn) => fn.name)), ...this.library.allFunctionNames()];
    const sugs = suggest(call.name, names, 5);
    throw new SemanticError('functioncall:unresolved', `unresolved function ${call.name}${sugs ? ` (similar: ${sugs})` : ''}`, call.tok);
  }

  private funcFor(decl: A.FunctionDecl, library: boolean): Func {
    let f = this.funcsByDecl.get(decl);
    if (f) return f;
    const params = decl.params.map((p) => {
      const v = newVar(p.name, 'param', p.tok, p);
      v.arity = 0;
      return v;
    });
    f = { name: decl.name, tok: decl.tok, decl, type: decl.type, params, locals: [], intrinsic: false, library, overloads: [] };
    f.overloads = [f];
    this.funcsByDecl.set(decl, f);
    this.functions.push(f);
    this.resolveFunction(f);
    return f;
  }

  private intrinsicFunc(call: A.FunctionCall, sig: IntrinsicSignature): Func {
    const key = `${call.name}/${sig.params.length}`;
    let f = this.intrinsicFuncs.get(key);
    if (!f) {
      const params = sig.params.map((t, i) => {
        const v = newVar(sig.names?.[i] ?? `arg${i + 1}`, 'param', call.tok);
        v.type = t;
        v.arity = 0;
        return v;
      });
      f = { name: call.name, tok: call.tok, decl: null, type: sig.ret, params, locals: [], intrinsic: true, library: true, overloads: [] };
      this.intrinsicFuncs.set(key, f);
      this.functions.push(f);
    }
    return f;
  }
}
