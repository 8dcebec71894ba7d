// Diagnostics as the user sees them: stap's layout, carets under tabs, macro chains, recovery.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Reporter } from '../../src/diag/reporter.js';
import { SourceFile } from '../../src/diag/source.js';
import { defaultParseEnv } from '../../src/parse/env.js';
import { Parser } from '../../src/parse/parser.js';

function parse(text: string, guru = false): { ok: boolean; err: string } {
  let err = '';
  const env = defaultParseEnv(new Reporter((s) => (err += s)));
  const f = new Parser(new SourceFile('t.stp', text), env, { privileged: guru, userFile: true }).parseFile();
  return { ok: f !== null, err };
}

test('an expected-token error shows what was seen, the line and a caret', () => {
  assert.equal(parse('probe begin {\n\tx = (1 + }\n').err,
    'parse error: expected literal string or number\n' +
    "        saw: operator '}' at t.stp:2:11\n" +
    '     source: \tx = (1 + }\n' +
    '             \t         ^\n\n' +
    '1 parse error.\n');
});

test('independent errors are all reported, then counted', () => {
  const r = parse('probe begin { x = }\nprobe end { if x }\nfunction f( { }\n');
  assert.equal((r.err.match(/^parse error:/gm) ?? []).length, 3);
  assert.match(r.err, /3 parse errors\.\n$/);
});

test('an error inside a macro expansion names the invocation', () => {
  // As stap 4.8 prints it (checked with the real stap).
  assert.equal(parse('@define bad %( 1 + * %)\nprobe begin { x = @bad }\n').err,
    'parse error: expected literal string or number\n' +
    "        saw: operator '*' at t.stp:1:20\n" +
    '     source: @define bad %( 1 + * %)\n' +
    '                                ^\n' +
    "\tin expansion of macro: operator '@bad' at t.stp:2:19\n" +
    '     source: probe begin { x = @bad }\n' +
    '                               ^\n\n' +
    '1 parse error.\n');
});

test('embedded C needs guru mode, and is fine with it', () => {
  assert.match(parse('%{ int x; %}\nprobe begin {}\n').err, /^parse error: embedded code in unprivileged script; need stap -g\n/);
  assert.equal(parse('%{ int x; %}\nprobe begin {}\n', true).ok, true);
});

test('lexer errors are reported at the bad token', () => {
  assert.match(parse('probe begin { x = "abc\n}\n').err, /^parse error: Could not find matching closing quote\n {9}at: junk '' at t\.stp:1:19\n/);
});

test('empty input', () => {
  assert.equal(parse('').err, "Input file 't.stp' is empty.\n");
  assert.equal(parse('%( 1 == 2 %? probe begin {} %)').err, "Input file 't.stp' is empty after preprocessing.\n");
});
