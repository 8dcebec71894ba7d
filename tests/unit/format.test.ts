// printf format strings split as stap splits them.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFormat } from '../../src/parse/format.js';

test('literals, %% and conversions', () => {
  const c = parseFormat('a%%b %-5d|%08.3x %s%p');
  assert.deepEqual(c.map((x) => x.type), ['literal', 'number', 'literal', 'number', 'literal', 'string', 'pointer']);
  assert.equal(c[0]!.literal, 'a%b ');
  assert.equal(c[1]!.width, 5);
  assert.equal(c[1]!.flags.left, true);
  assert.equal(c[1]!.flags.sign, true);
  assert.equal(c[3]!.flags.zeropad, true);
  assert.equal(c[3]!.precision, 3);
  assert.equal(c[3]!.base, 16);
  assert.equal(c[6]!.flags.special, true);
});

test('dynamic width and precision', () => {
  const [c] = parseFormat('%*.*s');
  assert.equal(c!.width, '*');
  assert.equal(c!.precision, '*');
});

test('only one flag character is read, as stap', () => {
  assert.throws(() => parseFormat('%-+5d'), /invalid or missing conversion specifier/);
});

test('bad and trailing conversions', () => {
  assert.throws(() => parseFormat('%q'), /invalid or missing conversion specifier/);
  assert.throws(() => parseFormat('abc %5'), /trailing incomplete print format conversion/);
  assert.deepEqual(parseFormat('abc %.').map((x) => x.literal), ['abc ']);
  assert.deepEqual(parseFormat('100%').map((x) => x.literal), ['100%']);
});
