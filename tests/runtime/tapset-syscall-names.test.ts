// The generated syscall tapset (tools/gen-syscall-tapset.ts) never sets a variable the probe
// already sets: a syscall's argument called `name` (acct, the *xattr calls, name_to_handle_at)
// gets stap's variable for it (acct: filename) or `<arg>_str`, and `name` stays the syscall's.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runTstap } from '../corpus-runner.js';
import { script } from './kernel-fixtures.js';

test('syscalls-generated.stp: each probe sets name (to its syscall), argstr, retval and retstr once', () => {
  const text = fs.readFileSync(path.join(ROOT, 'tapset/linux/syscalls-generated.stp'), 'latin1');
  const probes = [...text.matchAll(/^probe syscall\.([a-z0-9_]+)(\.return)? = [^\n]*\n\{\n([^}]*)\}/gm)];
  assert.ok(probes.length > 400, `${probes.length} probes`);
  for (const [, sys, ret, body] of probes) {
    const sets = [...body!.matchAll(/^ {2}([a-z0-9_]+) = /gm)].map((m) => m[1]!);
    const twice = sets.filter((v, i) => sets.indexOf(v) !== i);
    assert.deepEqual(twice, [], `syscall.${sys}${ret ?? ''} sets ${twice.join(', ')} twice`);
    assert.match(body!, new RegExp(`^ {2}name = "${sys}"$`, 'm'), `syscall.${sys}${ret ?? ''}`);
  }
  // The renamed arguments, with stap's names where it has them.
  assert.match(text, /name = "acct"\n {2}filename = user_string_quoted\(\$name\)\n {2}argstr = filename\n/);
  assert.match(text, /name = "getxattr"\n {2}pathname = user_string_quoted\(\$pathname\)\n {2}name_str = user_string_quoted\(\$name\)\n/);
  assert.match(text, /name = "name_to_handle_at"\n(?: {2}.*\n)* {2}pathname = user_string_quoted\(\$name\)\n/);
});

test('syscall.acct and syscall.getxattr: name is the syscall, the name argument has its own variable', async () => {
  // acct() of a file that does not exist fails before it changes anything (ENOENT).
  const cmd = `node -e 'const c = require("koffi").load("libc.so.6");
c.func("int acct(const char *p)")("/nonexistent-tstap/acct");
c.func("long getxattr(const char *p, const char *n, void *v, size_t s)")("/", "user.tstap", null, 0)'`;
  const r = await runTstap(['-c', cmd, script(`
probe syscall.acct { if (pid() == target()) printf("%s|%s|%s\\n", name, filename, argstr) }
probe syscall.acct.return { if (pid() == target()) printf("%s|%s\\n", name, retstr) }
probe syscall.getxattr { if (pid() == target()) printf("%s|%s|%s\\n", name, name_str, argstr) }
probe syscall.getxattr.return { if (pid() == target()) printf("%s|%d\\n", name, retval < 0) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'acct|"/nonexistent-tstap/acct"|"/nonexistent-tstap/acct"',
    'acct|-2 (ENOENT)',
    'getxattr|"user.tstap"|"/", "user.tstap", 0x0, 0',
    'getxattr|1',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});
