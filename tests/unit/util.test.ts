// The small C-library equivalents the front end relies on.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { strverscmp } from '../../src/util/strverscmp.js';
import { fnmatch } from '../../src/util/fnmatch.js';
import { parseCUnsigned, parseCSignedStrict, lexCastInt64 } from '../../src/util/cnumber.js';

test('strverscmp orders versions as glibc documents', () => {
  // glibc's manual: 000 < 00 < 01 < 010 < 09 < 0 < 1 < 9 < 10
  const order = ['000', '00', '01', '010', '09', '0', '1', '9', '10'];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      assert.equal(strverscmp(order[i]!, order[j]!), Math.sign(i - j), `${order[i]} vs ${order[j]}`);
    }
  }
  assert.equal(strverscmp('6.18.44', '2.6.30'), 1);
  assert.equal(strverscmp('6.18', '6.18.0'), -1);
  assert.equal(strverscmp('4.8', '4.10'), -1);
  assert.equal(strverscmp('4.8', '4.8'), 0);
  assert.equal(strverscmp('3.10.0-rc1', '3.10.0'), 1);
});

test('fnmatch handles *, ? and classes without escapes', () => {
  assert.ok(fnmatch('i?86', 'i686'));
  assert.ok(!fnmatch('i?86', 'x86_64'));
  assert.ok(fnmatch('x86*', 'x86_64'));
  assert.ok(fnmatch('[ym]', 'y'));
  assert.ok(!fnmatch('[ym]', 'n'));
  assert.ok(fnmatch('[!n]', 'm'));
  assert.ok(fnmatch('2.6.*', '2.6.32'));
  assert.ok(fnmatch('a\\b', 'a\\b'));
  assert.ok(!fnmatch('', 'x'));
  assert.ok(fnmatch('*', ''));
});

test('C number syntax: base 0, whole string, 64-bit range', () => {
  assert.deepEqual(parseCUnsigned('0755'), { value: 493n, overflow: false });
  assert.deepEqual(parseCUnsigned('0xff'), { value: 255n, overflow: false });
  assert.equal(parseCUnsigned('09'), null);
  assert.equal(parseCUnsigned('0x'), null);
  assert.equal(parseCUnsigned('12ab'), null);
  assert.equal(parseCUnsigned('18446744073709551616')?.overflow, true);
  assert.equal(parseCSignedStrict(''), 0n);
  assert.equal(parseCSignedStrict('-0x10'), -16n);
  assert.equal(parseCSignedStrict('y'), null);
  assert.equal(lexCastInt64('42abc'), 42n);
  assert.equal(lexCastInt64('x'), null);
});
