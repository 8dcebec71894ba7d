// Creating variables and enforcing arity the way stap's vardecl::set_arity does.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import type { Token } from '../parse/token.js';
import type { Var } from './model.js';

export function newVar(name: string, scope: Var['scope'], tok: Token, from?: A.VarDecl, library = false): Var {
  return {
    name, scope, tok, type: from ? from.type : 'unknown', arity: -1, arityTok: null, indexTypes: [],
    maxSize: from?.maxSize ?? 0, wrap: from?.wrap ?? false, init: from?.init ?? null, slot: -1,
    read: false, written: false, statOps: new Set(), varianceShift: null, library,
  };
}

/** Records that `v` is used with `arity` index columns (-1: any); errors on a conflict. */
export function setArity(v: Var, arity: number, tok: Token | null): void {
  if (arity < 0) return;
  if (arity === 0 && v.maxSize > 0) throw new SemanticError('set_arity:sized', 'inconsistent arity', v.tok);
  if (v.arity !== arity && v.arity >= 0) {
    const err = new SemanticError('set_arity:mismatch', `inconsistent arity (${v.arity} vs ${arity})`, tok ?? v.tok);
    if (v.arityTok) err.chain = new SemanticError('set_arity:first', `arity ${v.arity} first inferred here`, v.arityTok);
    throw err;
  }
  if (v.arity !== arity) {
    v.arityTok = tok;
    v.arity = arity;
    v.indexTypes = new Array(arity).fill('unknown');
  }
}
