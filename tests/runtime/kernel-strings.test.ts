// String functions in kernel handlers against the interpreter (the reference semantics):
// string_quoted, errno_str, and user_string's copy-fault error. Kernel strings hold 63 bytes
// and a NUL, so the interpreter runs with -D MAXSTRINGLEN=64 for the comparison.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What the interpreter's string_quoted makes of `s` at the kernel string size. */
async function interpQuoted(s: string): Promise<string> {
  const lit = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  const r = await runTstap(['-D', 'MAXSTRINGLEN=64', '-e', `probe begin { println(string_quoted("${lit}")) exit() }`]);
  assert.equal(r.stderr, '');
  return r.stdout;
}

const PATHS = [
  '/nonexistent/plain',
  '/nonexistent/q"uote\\back\ttab\nnl',
  '/nonexistent/\x01ctl\x7f',
  // Longer than fits: the `"...` ending, and once with an escape where the cut falls.
  '/nonexistent/' + 'a'.repeat(45),
  '/nonexistent/' + 'b'.repeat(40) + '\t\t\t\t',
  '/nonexistent/' + 'c'.repeat(42) + '\x01\x02',
];

for (const p of PATHS) {
  test(`string_quoted in a kernel handler matches the interpreter: ${JSON.stringify(p)}`, async () => {
    const r = await runTstap(['-c', workload(`openat ${shellQuote(p)} 1`), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && isinstr(user_string($filename), "/nonexistent/")) println(string_quoted(user_string($filename)))
}
`)]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, await interpQuoted(p));
  });
}

test('errno_str and a narrowed syscall argument in kernel handlers', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/x 3'), script(`
global mine
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && user_string($filename) == "/nonexistent/x") { mine[tid()] = 1; printf("dfd=%d\\n", $dfd) }
}
probe kernel.trace("syscalls:sys_exit_openat") {
  if (mine[tid()]) printf("%d %s [%s] [%s]\\n", $ret, errno_str($ret), errno_str(-$ret), errno_str(5000))
  delete mine[tid()]
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'dfd=-100\n-2 ENOENT [ENOENT] []\n'.repeat(3));
});

test('string_quoted escapes bytes above 0x7e one by one in kernel handlers (stap decodes UTF-8)', async () => {
  const r = await runTstap(['-c', workload(`openat ${shellQuote('/nonexistent/\xe9t\xe9')} 1`), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && isinstr(user_string($filename), "/nonexistent/")) println(string_quoted(user_string($filename)))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '"/nonexistent/\\303\\251t\\303\\251"\n');
});

test('user_string of a bad address: stap\'s copy-fault error, catchable', async () => {
  const r = await runTstap(['-c', workload('kill0 2'), script(`
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    try { println(user_string(16)) } catch (e) { println("caught: ", e) }
  }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'caught: user string copy fault -14 at 0x10 [man error::fault]\n'.repeat(2));
});

test('user_string of a bad address outside try: the run stops with stap\'s error', async () => {
  const r = await runTstap(['-c', workload('kill0 2'), script(`
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) println(user_string(16)) }
`)]);
  assert.match(r.stderr, /^ERROR: user string copy fault -14 at 0x10 \[man error::fault\]/);
  assert.equal(r.rc, 1);
});
