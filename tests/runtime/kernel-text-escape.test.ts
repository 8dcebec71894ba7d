// string_quoted, text_str and text_strn as values in kernel handlers (bpf/codegen/text-escape.ts)
// give the interpreter's text byte for byte: UTF-8 sequences as \uXXXX/\UXXXXXXXX, malformed ones
// (a surrogate, an overlong form, a cut sequence) byte by byte in octal, limits, `"...` endings.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const BODY = String.raw`
  s = "aé\x01\"x\\\\"; t = "\xf0\x9f\x98\x80!\xed\xa0\x80\xc0\xaf\xe2\x82"
  x = string_quoted(s); println(x)
  y = text_str(t); println(y)
  println(text_strn(s, 6, k)); println(text_strn(s, 6, 0)); println(text_strn(s, 0, 1)); println(text_strn(s, -4, 0))
  many = t; for (i = 0; i < 22; i++) many .= t
  z = string_quoted(many); println(z)
  println(text_strn(t . t, 9, 1)); println(text_strn(t . t, 10, 1)); println(text_strn(t, 4, 0)); println(text_strn(many, 15, 1))
  println(text_str("ü" . substr(many, 0, 3)))
`;

test('string_quoted/text_str/text_strn in a kernel handler give the interpreter\'s text', async () => {
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`global k = 1
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
${BODY}
  exit()
}
`)]);
  const interp = await runTstap([script(`global k = 1
probe begin {
${BODY}
  exit()
}
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  const lines = kernel.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    String.raw`"a\u00E9\001\"x\\\\"`,
    String.raw`\U0001F600!\355\240\200\300\257\342\202`,
    '"a"...', 'a', String.raw`"a\u00E9\001\"x\\\\"`, String.raw`a\u00E9\001\"x\\\\`,
  ]);
  // 23 copies of t escape to far more than MAXSTRINGLEN: cut before an escape, then `"...`.
  assert.equal(lines[6]!.length, 508);
  assert.match(lines[6]!, /\\342"\.\.\.$/);
  assert.deepEqual(lines.slice(7, 12), ['""...', '""...', '', String.raw`"\U0001F600"...`, String.raw`\u00FC\360\237\230`]);
});
