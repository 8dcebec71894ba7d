// Long-valued expressions in kernel handlers: literals, arithmetic (stap's division by zero),
// comparisons, logical operators, ?: and assignment to locals and scalar globals.

import type * as A from '../../parse/ast.js';
import type { Var } from '../../elaborate/model.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { R0, R1, R2, R7, R9 } from '../insn.js';
import { type GlobalLoc } from './layout.js';
import { unsupported, Val, describeExpr } from './shared.js';
import type { ProbeGen } from './gen.js';

export const expressionsMethods = {
  typeOf(this: ProbeGen, e: A.Expr): Val {
    let t = this.prog.bindings.types.get(e);
    // Assignment targets are typed through their variable.
    if (e.kind === 'symbol') t = this.prog.bindings.vars.get(e)?.type ?? t;
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') t = this.prog.bindings.vars.get(e.base)?.type ?? t;
    return t === 'string' ? 'string' : 'long';
  },

  /** Evaluates `e`: longs into R0, strings into a scratch slot (returned). */
  value(this: ProbeGen, e: A.Expr): number | null {
    // A sprintf whose result is dropped (an elided assignment's right side) is still a string.
    if (this.typeOf(e) === 'string' && (e.kind !== 'print_format' || !e.stream)) return this.str(e);
    this.long(e);
    return null;
  },

  globalLoc(this: ProbeGen, sym: A.SymbolExpr): GlobalLoc {
    const v = this.prog.bindings.vars.get(sym)!;
    const loc = this.layout.globals.get(v);
    if (!loc) throw new Error(`internal error: global ${v.name} has no kernel storage`);
    return loc;
  },

  varOf(this: ProbeGen, sym: A.SymbolExpr): Var {
    return this.prog.bindings.vars.get(sym)!;
  },

  long(this: ProbeGen, e: A.Expr): void {
    const a = this.a;
    a.at(e.tok);
    switch (e.kind) {
      case 'literal_number': a.ldImm64(R0, e.value); return;
      case 'symbol': {
        const v = this.varOf(e);
        if (v.scope !== 'global') {
          a.ldxDW(R0, this.fp, this.localSlots.get(v)!);
          return;
        }
        const loc = this.globalLoc(e);
        if (loc.kind !== 'scalar') throw unsupported(`reading ${v.name} as a value`, e.tok);
        a.ldxDW(R0, R9, loc.offset);
        return;
      }
      case 'arrayindex': this.readElement(e); return;
      case 'assignment': this.assignment(e); return;
      case 'binary': this.binary(e); return;
      case 'unary': {
        this.long(e.operand);
        if (e.op === '-') a.neg64(R0);
        else if (e.op === '~') a.alu64Imm('xor', R0, -1);
        else if (e.op === '!') this.boolOf('jeq', 0);
        return;
      }
      case 'comparison': this.comparison(e); return;
      case 'regex_query': this.regexQuery(e); return;
      case 'logical': {
        const done = this.fresh('logic');
        this.long(e.left);
        this.boolOf('jne', 0);
        a.jmpImm(e.op === '&&' ? 'jeq' : 'jne', R0, 0, done);
        this.long(e.right);
        this.boolOf('jne', 0);
        a.label(done);
        return;
      }
      case 'ternary': {
        // @defined(...) ? a : b (@choose_defined): only the branch that exists is compiled.
        if (e.cond.kind === 'defined_op') {
          this.long(this.defined(e.cond.operand) ? e.truevalue : e.falsevalue);
          return;
        }
        const els = this.fresh('tern');
        const end = this.fresh('ternend');
        this.long(e.cond);
        a.jmpImm('jeq', R0, 0, els);
        this.long(e.truevalue);
        a.ja(end);
        a.label(els);
        this.long(e.falsevalue);
        a.label(end);
        return;
      }
      case 'pre_crement': case 'post_crement': this.crement(e); return;
      case 'array_in': this.arrayIn(e); return;
      case 'functioncall': this.call(e); return;
      case 'print_format': this.print(e); return;
      case 'target_symbol': this.targetVar(e); return;
      case 'cast_op': this.castOp(e); return;
      case 'defined_op': a.mov64Imm(R0, this.defined(e.operand) ? 1 : 0); return;
      case 'stat_op': this.statRead(e); return;
      default: throw unsupported(describeExpr(e), e.tok);
    }
  },

  /** R0 = (R0 op imm) ? 1 : 0 */
  boolOf(this: ProbeGen, op: 'jeq' | 'jne' | 'jsge' | 'jlt', imm: number): void {
    const t = this.fresh('bool');
    const a = this.a;
    a.mov64Reg(R1, R0);
    a.mov64Imm(R0, 1);
    a.jmpImm(op, R1, imm, t);
    a.mov64Imm(R0, 0);
    a.label(t);
  },

  /** Evaluates a, spills it, evaluates b; leaves a in R0 and b in R1. */
  pair(this: ProbeGen, x: A.Expr, y: A.Expr): void {
    const slot = this.stack(8);
    this.long(x);
    this.a.stxDW(this.fp, slot, R0);
    this.long(y);
    this.a.mov64Reg(R1, R0);
    this.a.ldxDW(R0, this.fp, slot);
    this.stackTop -= 8;
  },

  binary(this: ProbeGen, e: A.BinaryExpr): void {
    const a = this.a;
    this.pair(e.left, e.right);
    a.at(e.tok);
    switch (e.op) {
      case '+': a.alu64Reg('add', R0, R1); return;
      case '-': a.alu64Reg('sub', R0, R1); return;
      case '*': a.alu64Reg('mul', R0, R1); return;
      case '&': a.alu64Reg('and', R0, R1); return;
      case '|': a.alu64Reg('or', R0, R1); return;
      case '^': a.alu64Reg('xor', R0, R1); return;
      case '<<': a.alu64Imm('and', R1, 63); a.alu64Reg('lsh', R0, R1); return;
      case '>>': a.alu64Imm('and', R1, 63); a.alu64Reg('arsh', R0, R1); return;
      case '>>>': a.alu64Imm('and', R1, 63); a.alu64Reg('rsh', R0, R1); return;
      case '/': case '%': {
        const ok = this.fresh('div');
        a.jmpImm('jne', R1, 0, ok);
        this.runtimeError('division by 0', e.tok);
        a.label(ok);
        // Signed division (cpu v4 sdiv/smod; Linux >= 6.6).
        a.alu64Reg(e.op === '/' ? 'sdiv' : 'smod', R0, R1);
        return;
      }
    }
    throw unsupported(`operator ${e.op}`, e.tok);
  },

  /**
   * Strings compare as stap's strcmp: the operands are word-padded slots (kstrings.ts), so
   * comparing them as big-endian 64-bit words, first difference wins, is bytewise comparison.
   */
  stringComparison(this: ProbeGen, e: A.ComparisonExpr): void {
    const a = this.a;
    const equal = this.fresh('seq');
    const done = this.fresh('sdone');
    // Against a literal (`execname() == "bash"`), only the literal's words are compared, with
    // immediates; a literal on the left swaps sides (it has no effects to order).
    const literal = (x: A.Expr): string | null => (x.kind === 'literal_string' && !this.inScratch.has(x) ? unescapeLiteral(x.value) : null);
    const rightLit = literal(e.right);
    const leftLit = rightLit === null ? literal(e.left) : null;
    const swapped = leftLit !== null;
    if (rightLit !== null || leftLit !== null) {
      this.ks.differenceFromLiteral(R7, this.str(swapped ? e.right : e.left), (rightLit ?? leftLit)!, equal);
    } else {
      const l = this.str(e.left);
      const r = this.str(e.right);
      this.ks.difference(R7, l, R7, r, equal);
    }
    // R1 vs R2 unsigned decides <, >; equal strings take the other branch.
    const cmp: Record<string, 'jlt' | 'jle' | 'jgt' | 'jge' | 'jne' | 'jeq'> = swapped
      ? { '<': 'jgt', '<=': 'jge', '>': 'jlt', '>=': 'jle', '!=': 'jne', '==': 'jeq' }
      : { '<': 'jlt', '<=': 'jle', '>': 'jgt', '>=': 'jge', '!=': 'jne', '==': 'jeq' };
    const t = this.fresh('strue');
    a.jmpReg(cmp[e.op]!, R1, R2, t);
    a.mov64Imm(R0, 0);
    a.ja(done);
    a.label(t);
    a.mov64Imm(R0, 1);
    a.ja(done);
    a.label(equal);
    a.mov64Imm(R0, e.op === '==' || e.op === '<=' || e.op === '>=' ? 1 : 0);
    a.label(done);
  },

  comparison(this: ProbeGen, e: A.ComparisonExpr): void {
    if (this.typeOf(e.left) === 'string') {
      this.stringComparison(e);
      return;
    }
    const ops: Record<string, 'jeq' | 'jne' | 'jslt' | 'jsle' | 'jsgt' | 'jsge'> = {
      '==': 'jeq', '!=': 'jne', '<': 'jslt', '<=': 'jsle', '>': 'jsgt', '>=': 'jsge',
    };
    this.pair(e.left, e.right);
    const t = this.fresh('cmp');
    const a = this.a;
    a.mov64Reg(R2, R0);
    a.mov64Imm(R0, 1);
    a.jmpReg(ops[e.op]!, R2, R1, t);
    a.mov64Imm(R0, 0);
    a.label(t);
  },
};

export type ExpressionsMethods = typeof expressionsMethods;
