// The INTRINSICS table: overloads by arity, argument checking, and the int64/MAXSTRINGLEN return rules.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, DEFAULT_MAXSTRINGLEN, findIntrinsic, INTRINSICS } from '../../src/intrinsics/index.js';

test('overloads are distinguished by arity', () => {
  assert.deepEqual(INTRINSICS.get('tokenize')!.map((f) => f.params), [['string'], ['string', 'string']]);
  assert.deepEqual(INTRINSICS.get('ctime')!.map((f) => f.params.length).sort(), [0, 1]);
  assert.deepEqual(INTRINSICS.get('ansi_set_color')!.map((f) => f.params.length), [1, 2, 3]);
  assert.equal(findIntrinsic('strlen', 1)!.ret, 'long');
  assert.equal(findIntrinsic('ansi_new_line', 0)!.ret, 'unknown');
  assert.equal(findIntrinsic('strlen', 2), undefined);
  assert.equal(findIntrinsic('no_such_function', 0), undefined);
  for (const [name, overloads] of INTRINSICS) for (const f of overloads) assert.equal(f.name, name);
});

test('MAXSTRINGLEN defaults to 512, the 64-bit value of runtime_defines.h', () => {
  assert.equal(DEFAULT_MAXSTRINGLEN, 512);
  assert.equal(createIntrinsicContext().maxStringLen, 512);
});

test('string results never exceed MAXSTRINGLEN-1 bytes', () => {
  const ctx = createIntrinsicContext({ maxStringLen: 16 });
  assert.equal(callIntrinsic(ctx, 'str_replace', 'abcdefghij', 'a', 'AAAAAAAAA'), 'AAAAAAAAAbcdefg');
  assert.equal(callIntrinsic(ctx, 'sigset_mask_str', 0xffffn), '1,2,3,4,5,6,7,'); // cut by strlcat, then last char dropped
});

test('arguments of the wrong type or count are interpreter bugs', () => {
  const ctx = createIntrinsicContext();
  assert.throws(() => findIntrinsic('strlen', 1)!.impl(ctx, [5n]), TypeError);
  assert.throws(() => findIntrinsic('strlen', 1)!.impl(ctx, []), TypeError);
});
