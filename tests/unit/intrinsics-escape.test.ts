// text_str, text_strn, string_quoted: stap's _stp_text_str escaping and its truncation rules (runtime/stp_string.c).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, type Value } from '../../src/intrinsics/index.js';

const ctx = createIntrinsicContext();
const call = (name: string, ...args: Value[]): Value | undefined => callIntrinsic(ctx, name, ...args);

test('printable ASCII passes, C escapes and octal replace the rest', () => {
  assert.equal(call('text_str', 'hello'), 'hello');
  assert.equal(call('text_str', 'a\tb\n'), 'a\\tb\\n');
  assert.equal(call('text_str', 'say "hi"\\'), 'say \\"hi\\"\\\\');
  assert.equal(call('text_str', '\x07\x08\x0b\x0c\x0d'), '\\a\\b\\v\\f\\r');
  assert.equal(call('text_str', '\x01\x7f\xff'), '\\001\\177\\377');
});

test('well-formed UTF-8 becomes \\u / \\U, anything else is escaped byte by byte', () => {
  assert.equal(call('text_str', '\xc3\xa9'), '\\u00E9');
  assert.equal(call('text_str', '\xe2\x82\xac'), '\\u20AC');
  assert.equal(call('text_str', '\xf0\x9f\x98\x80'), '\\U0001F600');
  assert.equal(call('text_str', '\xc3'), '\\303'); // truncated sequence
  assert.equal(call('text_str', '\xc0\x80'), '\\300\\200'); // overlong NUL
  assert.equal(call('text_str', '\xed\xa0\x80'), '\\355\\240\\200'); // UTF-16 surrogate
});

test('string_quoted wraps in double quotes', () => {
  assert.equal(call('string_quoted', 'hello\n'), '"hello\\n"');
  assert.equal(call('string_quoted', ''), '""');
});

test('text_strn limits the output length, quoted output ends in "... when cut', () => {
  assert.equal(call('text_strn', 'hello world', 5n, 0n), 'hello');
  assert.equal(call('text_strn', 'hello world', 0n, 0n), 'hello world'); // 0 means MAXSTRINGLEN
  assert.equal(call('text_strn', 'hello world', 8n, 1n), '"hel"...'); // exactly 8 bytes
  assert.equal(call('text_strn', 'hello', 8n, 1n), '"hello"');
  assert.equal(call('text_strn', 'hello world', 1n, 1n), '""...'); // room is at least 5
});

test('a cut never splits an escape sequence', () => {
  // The \n escape ends before the cut point: kept.
  assert.equal(call('text_strn', 'ab\ncd', 7n, 1n), '"ab"...');
  // The cut point falls inside \n: the whole escape goes.
  assert.equal(call('text_strn', 'a\nbcd', 7n, 1n), '"a"...');
  // Unquoted output stops before an escape that does not fit.
  const small = createIntrinsicContext({ maxStringLen: 8 });
  assert.equal(callIntrinsic(small, 'text_str', '\x01\x02'), '\\001');
});
