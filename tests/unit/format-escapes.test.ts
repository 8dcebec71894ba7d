// C string-literal escapes as GCC applies them to the literals stap pastes into its C.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { escapeProblem, stringLiteralValue, unescapeLiteral } from '../../src/format/escapes.js';

test('simple escapes', () => {
  assert.equal(unescapeLiteral('a\\nb\\tc'), 'a\nb\tc');
  assert.equal(unescapeLiteral('\\a\\b\\f\\n\\r\\t\\v'), '\x07\x08\x0c\x0a\x0d\x09\x0b');
  assert.equal(unescapeLiteral('back\\\\slash'), 'back\\slash');
  // \\ then n: the backslash pair is one escape, the n is plain (left to right, as C).
  assert.equal(unescapeLiteral('\\\\n'), '\\n');
  assert.equal(unescapeLiteral('no escapes here'), 'no escapes here');
  // The lexer has already dropped the backslash of \" but a raw quote may appear.
  assert.equal(unescapeLiteral('say "hi"'), 'say "hi"');
});

test('octal escapes take up to three digits', () => {
  // testsuite/systemtap.printf/oct.stp prints "\020\01\02\03..." and oct.exp expects 10 01 02 03 ...
  assert.equal(unescapeLiteral('\\020\\01\\02\\03\\04\\05\\06\\07'), '\x10\x01\x02\x03\x04\x05\x06\x07');
  assert.equal(unescapeLiteral('\\101\\1012'), 'AA2');
  assert.equal(unescapeLiteral('\\0'), '\0');
  assert.equal(unescapeLiteral('\\08'), '\x008');
});

test('hex escapes take every hex digit, as C', () => {
  // \x62c is one escape (0x62c), reduced to its low byte 0x2c.
  assert.equal(unescapeLiteral('\\x41\\x62c'), 'A,');
  assert.equal(unescapeLiteral('\\x41g'), 'Ag');
  assert.equal(unescapeLiteral('\\x7e'), '~');
});

test('out-of-range and unknown escapes: GCC reduces to 8 bits, stap (-Werror) rejects', () => {
  assert.equal(unescapeLiteral('\\777'), '\xff');
  assert.equal(escapeProblem('ok \\777'), 'octal escape sequence out of range');
  assert.equal(unescapeLiteral('\\x4142'), '\x42');
  assert.equal(escapeProblem('\\x4142'), 'hex escape sequence out of range');
  assert.equal(escapeProblem('\\xg'), '\\x used with no following hex digits');
  assert.equal(unescapeLiteral('\\q'), 'q');
  assert.equal(escapeProblem('\\q'), "unknown escape sequence: '\\q'");
  assert.equal(escapeProblem('fine \\n \\x41 \\101 \\\\x'), null);
});

test('a script sees a literal only up to its first NUL', () => {
  assert.equal(unescapeLiteral('a\\000b'), 'a\0b');
  assert.equal(stringLiteralValue('a\\000b'), 'a');
  assert.equal(stringLiteralValue('abc\\n'), 'abc\n');
});
