// Operators with a literal right operand (const-operands.ts) compute what arith() computes,
// from a local slot or from a closure, at the int64 edges too.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { binaryConst, compareConst } from '../../src/interp/const-operands.js';
import { arith } from '../../src/interp/compile-expr.js';
import type { Token } from '../../src/parse/token.js';

const EDGES = [0n, 1n, -1n, 7n, -7n, 100003n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
const CONSTS = [1n, -1n, 3n, 7919n, 63n, 64n, 65n, -(2n ** 63n), 2n ** 63n - 1n];
const tok = {} as Token;

test('binary operators with a literal operand', () => {
  for (const op of ['+', '-', '*', '/', '%', '&', '<<', '>>']) {
    for (const c of CONSTS) {
      const viaLocal = binaryConst(op, () => 0n, c, 0)!;
      const viaFn = (x: bigint) => binaryConst(op, () => x, c, -1)!;
      for (const x of EDGES) {
        const want = arith(op, tok)(x, c);
        assert.equal(viaLocal([x]), want, `${x} ${op} ${c}`);
        assert.equal(viaFn(x)([]), want, `${x} ${op} ${c}`);
      }
    }
  }
  assert.equal(binaryConst('/', () => 0n, 0n, 0), null, 'division by a literal 0 keeps its error');
  assert.equal(binaryConst('%', () => 0n, 0n, -1), null);
});

test('comparisons with a literal operand', () => {
  const ops: Record<string, (a: bigint, b: bigint) => boolean> = {
    '==': (a, b) => a === b, '!=': (a, b) => a !== b, '<': (a, b) => a < b,
    '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
  };
  for (const [op, fn] of Object.entries(ops)) {
    for (const c of CONSTS) {
      for (const x of EDGES) {
        const want = fn(x, c) ? 1n : 0n;
        assert.equal(compareConst(op, () => 0n, c, 0)([x]), want);
        assert.equal(compareConst(op, () => x, c, -1)([]), want);
      }
    }
  }
});
