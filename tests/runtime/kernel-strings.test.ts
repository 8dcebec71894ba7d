// String functions in kernel handlers against the interpreter (the reference semantics):
// string_quoted, errno_str, and user_string's copy-fault error. Kernel strings hold
// MAXSTRINGLEN bytes with the NUL (512 unless -D MAXSTRINGLEN), as the interpreter's.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What the interpreter's string_quoted makes of `s` (user_string's cut to MAXSTRINGLEN - 1 first). */
async function interpQuoted(s: string, maxLen = 512): Promise<string> {
  const cut = s.slice(0, maxLen - 1);
  const lit = cut.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  const r = await runTstap(['-D', `MAXSTRINGLEN=${maxLen}`, '-e', `probe begin { println(string_quoted("${lit}")) exit() }`]);
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** A path under /nonexistent/ of `n` bytes: components of at most 200 bytes (NAME_MAX). */
function longPath(n: number, fill = 'p'): string {
  let p = '/nonexistent';
  while (p.length < n) p += '/' + fill.repeat(Math.min(200, n - p.length - 1));
  return p;
}

const PATHS: [string, number][] = [
  ['/nonexistent/plain', 512],
  ['/nonexistent/q"uote\\back\ttab\nnl', 512],
  ['/nonexistent/\x01ctl\x7f', 512],
  // Past the 63 bytes kernel strings once held.
  ['/nonexistent/' + 'a'.repeat(45) + '/' + 'z'.repeat(60), 512],
  [longPath(300), 512],
  // Longer than fits: the `"...` ending, and once with an escape where the cut falls.
  [longPath(505), 512],
  [longPath(700), 512],
  [longPath(490) + '\t'.repeat(12), 512],
  [longPath(495) + '\x01\x02\x03', 512],
  // -D MAXSTRINGLEN is honoured in kernel handlers too.
  ['/nonexistent/' + 'a'.repeat(45), 64],
  ['/nonexistent/' + 'b'.repeat(40) + '\t\t\t\t', 64],
  ['/nonexistent/' + 'c'.repeat(42) + '\x01\x02', 64],
  ['/nonexistent/' + 'd'.repeat(80) + '\x01', 100],
  [longPath(150), 100],
];

for (const [p, maxLen] of PATHS) {
  test(`string_quoted in a kernel handler matches the interpreter (MAXSTRINGLEN=${maxLen}): ${JSON.stringify(p.length > 80 ? p.slice(0, 40) + `...(${p.length})` : p)}`, async () => {
    const r = await runTstap(['-D', `MAXSTRINGLEN=${maxLen}`, '-c', workload(`openat ${shellQuote(p)} 1`), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && substr(user_string($filename), 0, 13) == "/nonexistent/") println(string_quoted(user_string($filename)))
}
`)]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, await interpQuoted(p, maxLen));
  });
}

test('long strings in kernel handlers: paths past 63 bytes through locals, concatenation, map keys and records', async () => {
  const p = longPath(300);
  const r = await runTstap(['-c', workload(`openat ${shellQuote(p)} 2`), script(`
global seen, last
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() != target()) next // another process's path may not be paged in: a copy fault
  s = user_string($filename)
  if (substr(s, 0, 13) == "/nonexistent/") {
    t = s . "|" . s
    seen[s, strlen(s)]++
    last = t
    printf("%d %s %d %s\\n", strlen(s), s, strlen(t), substr(t, 290, 20))
  }
}
probe end {
  foreach ([k, n] in seen) printf("%d %d %s\\n", seen[k, n], n, k == "${p}" ? "same" : k)
  println(strlen(last), " ", last == "${p}|${p}")
}
`)]);
  assert.equal(r.stderr, '');
  const t = (p + '|' + p).slice(0, 511);
  assert.equal(r.stdout, `300 ${p} 511 ${t.slice(290, 310)}\n`.repeat(2) + '2 300 same\n511 1\n');
});

test('-D MAXSTRINGLEN=100 in kernel handlers: strings cut at 99 bytes, as in the interpreter', async () => {
  const p = longPath(150);
  const prog = (probe: string, str: string) => `
probe ${probe} {
  s = ${str}
  t = sprintf("%s+%d", s, 12345)
  printf("%d %s|%d %s|%d\\n", strlen(s), s, strlen(t), t, strlen(s . s))
  ${probe === 'begin' ? 'exit()' : ''}
}`;
  const k = await runTstap(['-D', 'MAXSTRINGLEN=100', '-c', workload(`openat ${shellQuote(p)} 1`), script(`
global done
${prog('kernel.trace("syscalls:sys_enter_openat")', 'user_string($filename)').replace('s = ', 'if (pid() != target() || substr(user_string($filename), 0, 13) != "/nonexistent/" || done++) next\n  s = ')}
`)]);
  const i = await runTstap(['-D', 'MAXSTRINGLEN=100', '-e', prog('begin', `"${p.slice(0, 99)}"`)]);
  assert.equal(k.stderr, '');
  assert.equal(i.stderr, '');
  assert.equal(k.stdout, i.stdout);
  assert.equal(k.stdout, `99 ${p.slice(0, 99)}|99 ${(p.slice(0, 99) + '+12345').slice(0, 99)}|99\n`);
});

test('syscall.openat of a long path: the whole argstr, no longer cut at 63 bytes', async () => {
  const p = longPath(260);
  const r = await runTstap(['-c', workload(`openat ${shellQuote(p)} 2`), script(`
probe syscall.openat { if (pid() == target() && substr(filename, 0, 14) == "\\"/nonexistent/") printf("%s(%s)\\n", name, argstr) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `openat(AT_FDCWD, "${p}", O_RDONLY)\n`.repeat(2));
});

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

test('string_quoted decodes UTF-8 in kernel handlers, as stap', async () => {
  const r = await runTstap(['-c', workload(`openat ${shellQuote('/nonexistent/\xe9t\xe9')} 1`), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && isinstr(user_string($filename), "/nonexistent/")) println(string_quoted(user_string($filename)))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '"/nonexistent/\\u00E9t\\u00E9"\n');
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

test('long strings compared, sorted and sliced in a kernel handler (--runtime=bpf begin) as in the interpreter', async () => {
  const a = 'x'.repeat(100);
  const text = `
global m
function show(s) { return sprintf("%d:%s", strlen(s), substr(s, 98, 10)) }
probe begin {
  p = "${a}"
  q = p . "b"
  r = p . "a"
  printf("%d %d %d %d %d\\n", q == r, q > r, r < q, q . "" == p . "b", p < q)
  m[q, 1] = 10; m[r, 2] = 20; m[p, 3] = 30; m[r, 4] = 40
  foreach ([k, n] in m+) printf("%s %d %d\\n", show(k), n, m[k, n])
  foreach ([k+, n] in m) printf("key %s %d\\n", show(k), n)
  foreach ([k, n] in m[r, *]) printf("slice %s %d\\n", show(k), n)
  foreach ([k-, n] in m limit 2) printf("desc %s %d\\n", show(k), n)
  exit()
}`;
  const f = script(text);
  const k = await runTstap(['--runtime=bpf', '-v', f]);
  assert.doesNotMatch(k.stderr, /runs in the interpreter/);
  const i = await runTstap([f]);
  assert.equal(i.stderr, '');
  assert.equal(k.stdout, i.stdout);
  assert.equal(k.stdout, [
    '0 1 1 1 1',
    '101:xxb 1 10', '101:xxa 2 20', '100:xx 3 30', '101:xxa 4 40',
    'key 100:xx 3', 'key 101:xxa 2', 'key 101:xxa 4', 'key 101:xxb 1',
    'slice 101:xxa 2', 'slice 101:xxa 4',
    'desc 101:xxb 1', 'desc 101:xxa 2', '',
  ].join('\n'));
});

test('`local .= x` in a kernel handler: literals, expressions, itself, cut at MAXSTRINGLEN, as the interpreter', async () => {
  const body = `
  s = "ab"; s .= s; s .= "cd"; s .= sprint(7 * 6); s .= ""
  e = ""; e .= "q"
  t = "z"; t .= s . e
  big = ""; for (i = 0; i < 20; i++) big .= "0123456789"
  printf("%s|%s|%s|%d|%s\\n", s, e, t, strlen(big), substr(big, 40, 5))
  exit()`;
  const kernel = await runTstap(['-D', 'MAXSTRINGLEN=64', '-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
${body} }`)]);
  const interp = await runTstap(['-D', 'MAXSTRINGLEN=64', '-e', `probe begin { ${body} }`]);
  assert.equal(kernel.stderr, '');
  assert.equal(interp.stdout, 'ababcd42|q|zababcd42q|63|01234\n');
  assert.equal(kernel.stdout, interp.stdout);
});

test('signal_str as a string value in a kernel handler (a name table), as the interpreter', async () => {
  const body = `
  s = ""; for (i = -1; i < 67; i++) s .= signal_str(i) . ","
  println(s . "SIG" . signal_str(15))
  exit()`;
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
${body} }`)]);
  const interp = await runTstap(['-e', `probe begin { ${body} }`]);
  assert.equal(kernel.stderr, '');
  assert.match(interp.stdout, /^,,HUP,INT,QUIT,.*,IO\/POLL,PWR,SYS,RTMIN,RTMIN\+1,.*,RTMIN\+32,,,SIGTERM\n$/);
  assert.equal(kernel.stdout, interp.stdout);
});
