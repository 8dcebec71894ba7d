// Constant folding as stap's const_folder does it at pass 2: operators on literals become
// literals (shift counts clamped to 0..64, then masked as the host CPU does; x/0 is left for
// run time), `if`/ternaries on a literal keep only the taken branch, `while (0)` disappears.

import type * as A from '../parse/ast.js';
import { mapExprs } from './optimize.js';

const lit = (tok: A.Expr['tok'], value: bigint): A.LiteralNumber => ({ kind: 'literal_number', tok, value });

function num(e: A.Expr): bigint | null {
  return e.kind === 'literal_number' ? e.value : null;
}

function foldExpr(e: A.Expr, changed: { v: boolean }): A.Expr {
  const i64 = (x: bigint) => BigInt.asIntN(64, x);
  const done = (x: A.Expr) => {
    changed.v = true;
    return x;
  };
  switch (e.kind) {
    case 'binary': {
      const l = num(e.left);
      const r = num(e.right);
      if (l === null || r === null) return e;
      if (r === 0n && (e.op === '/' || e.op === '%')) return e; // a run-time error, if reached
      const shift = () => BigInt(Number(r < 0n ? 0n : r > 64n ? 64n : r) & 63);
      let v: bigint;
      switch (e.op) {
        case '+': v = i64(l + r); break;
        case '-': v = i64(l - r); break;
        case '*': v = i64(l * r); break;
        case '&': v = l & r; break;
        case '|': v = l | r; break;
        case '^': v = l ^ r; break;
        case '>>': v = l >> shift(); break;
        case '<<': v = i64(l << shift()); break;
        case '/': v = l === -0x8000000000000000n && r === -1n ? l : i64(l / r); break;
        case '%': v = l === -0x8000000000000000n && r === -1n ? 0n : i64(l % r); break;
        default: return e;
      }
      return done(lit(e.left.tok, v));
    }
    case 'unary': {
      const o = num(e.operand);
      if (o === null) return e;
      switch (e.op) {
        case '-': return done(lit(e.tok, i64(-o)));
        case '!': return done(lit(e.tok, o === 0n ? 1n : 0n));
        case '~': return done(lit(e.tok, ~o));
        default: return done(lit(e.tok, o));
      }
    }
    case 'comparison': {
      const l = num(e.left);
      const r = num(e.right);
      let res: boolean;
      if (l !== null && r !== null) {
        res = e.op === '<' ? l < r : e.op === '<=' ? l <= r : e.op === '>' ? l > r : e.op === '>=' ? l >= r : e.op === '==' ? l === r : l !== r;
      } else if (e.left.kind === 'literal_string' && e.right.kind === 'literal_string') {
        const a = e.left.value;
        const b = e.right.value;
        res = e.op === '<' ? a < b : e.op === '<=' ? a <= b : e.op === '>' ? a > b : e.op === '>=' ? a >= b : e.op === '==' ? a === b : a !== b;
      } else {
        return e;
      }
      return done(lit(e.left.tok, res ? 1n : 0n));
    }
    case 'logical': {
      const l = num(e.left);
      if (l === null) return e;
      // A literal left side decides `||` when true and `&&` when false; otherwise the right rules.
      if (e.op === '||' && l !== 0n) return done(lit(e.left.tok, 1n));
      if (e.op === '&&' && l === 0n) return done(lit(e.left.tok, 0n));
      const r = num(e.right);
      if (r === null) return e;
      return done(lit(e.left.tok, r !== 0n ? 1n : 0n));
    }
    case 'ternary': {
      const c = num(e.cond);
      if (c === null) return e;
      return done(c !== 0n ? e.truevalue : e.falsevalue);
    }
    default:
      return e;
  }
}

function deadControl(s: A.Stmt, changed: { v: boolean }): A.Stmt | null {
  switch (s.kind) {
    case 'block':
      s.statements = s.statements.map((x) => deadControl(x, changed)).filter((x): x is A.Stmt => x !== null);
      return s;
    case 'if_statement': {
      s.thenStmt = deadControl(s.thenStmt, changed) ?? { kind: 'null_statement', tok: s.thenStmt.tok };
      if (s.elseStmt) s.elseStmt = deadControl(s.elseStmt, changed);
      const c = num(s.cond);
      if (c === null) return s;
      changed.v = true;
      return c !== 0n ? s.thenStmt : s.elseStmt;
    }
    case 'for_loop': {
      s.body = deadControl(s.body, changed) ?? { kind: 'null_statement', tok: s.body.tok };
      if (num(s.cond) !== 0n) return s;
      changed.v = true;
      return s.init ?? null;
    }
    case 'foreach_loop':
      s.body = deadControl(s.body, changed) ?? { kind: 'null_statement', tok: s.body.tok };
      return s;
    case 'try_block':
      deadControl(s.tryBlock, changed);
      deadControl(s.catchBlock, changed);
      return s;
    default:
      return s;
  }
}

export function foldConstants(b: A.Block): { block: A.Block; changed: boolean } {
  const changed = { v: false };
  mapExprs(b, (e) => foldExpr(e, changed));
  deadControl(b, changed);
  return { block: b, changed: changed.v };
}
