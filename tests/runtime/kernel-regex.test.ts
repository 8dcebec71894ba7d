// `=~`, `!~`, matched(), matched_str() and ngroups() in kernel handlers (bpf/codegen/regex.ts)
// give what the interpreter gives: the same decisions, the same groups, the same errors.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const SUBJECTS = ['', 'foobar123', 'key=value', 'an example string', 'a.b', 'x]y', 'aaa', 'abab', 'node', 'sshd: root@pts/0', 'tab\there', 'caf\\xe9', 'A-Z_09'];

/** Literals as a script writes them (backslashes doubled). */
const REGEXES = [
  '^foo', '[0-9]+$', 'bar', '^bar', '', '^$', 'a|^b', '\\\\.', 'a\\\\.b', '[a\\\\]]+', '[]x]', '[^]a]', '^[[:alpha:]]+$',
  '[[:space:]]', '^a{2,3}$', '^(ab){2}$', 'str(ing)', '^([a-z]+)=([a-z]+)$', '^([^=]+)=(.*)$', '(a|ab)(c|bcd)?', '(a)|(b)',
  '(a*)(a)', 'x(y)?z|(o)(d)(e)', '^(s+)(h*)(d?): ([a-z]+)@', '[[:upper:]]-[[:upper:]]_[[:digit:]]+', '\\\\d', '(^|=)v', 'e$|^k',
  '\\xe9$', '.\\t.', 'o+', '(o+)(.*)(o+)',
];

function body(regexes: string[]): string {
  return regexes.map((re) => `
  foreach (i+ in subj) {
    s = subj[i]
    if (s =~ "${re}") {
      line = sprintf("%d %d:", i, ngroups())
      line .= group(0) . group(1) . group(2) . group(3) . group(4) . group(5)
      println("${re} ", line, " ", matched_str())
    }
    else if (s !~ "${re}") nomatch++
  }`).join('') + `
  println(nomatch, " failed")
  if ("abc" =~ "z(.)") println("?")
  try { println(matched(1)) } catch (e) { println(e) }
  try { println(matched(2)) } catch (e) { println(e) }
  try { println(ngroups()) } catch (e) { println(e) }
  if ("abc" =~ "b(.)") println(matched(1))
  try { println(matched(-1)) } catch (e) { println(e) }`;
}

// No loop over the groups: the verifier would walk it up to MAXACTION times.
const GLOBALS = `global subj, nomatch
function group(n) { return n < ngroups() ? "[" . matched(n) . "]" : "" }
probe begin { ${SUBJECTS.map((s, i) => `subj[${i}] = "${s}"`).join('; ')} }
`;

test('regular expressions in a kernel handler: decisions and groups as the interpreter', async () => {
  // A few regexes per run: one handler with all of them has more branches than the verifier
  // follows (8,192 along one path).
  let out = '';
  for (let k = 0; k < REGEXES.length; k += 8) {
    const regexes = REGEXES.slice(k, k + 8);
    const kernel = await runTstap(['-c', workload('getppid 1'), script(`${GLOBALS}
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next${body(regexes)}
  exit()
}
`)]);
    const interp = await runTstap([script(`${GLOBALS}
probe begin(1) {${body(regexes)}
  exit()
}
`)]);
    assert.equal(interp.stderr, '');
    assert.equal(kernel.stderr, '');
    assert.equal(kernel.stdout, interp.stdout);
    out += kernel.stdout;
  }
  const kernel = { stdout: out };
  const lines = kernel.stdout.split('\n');
  for (const want of [
    '^([a-z]+)=([a-z]+)$ 2 3:[key=value][key][value] key=value',
    'str(ing) 3 2:[string][ing] string',
    '(a|ab)(c|bcd)? 6 3:[a][a][] a',
    'x(y)?z|(o)(d)(e) 8 5:[ode][][o][d][e] ode',
    '^(s+)(h*)(d?): ([a-z]+)@ 9 5:[sshd: root@][ss][h][d][root] sshd: root@',
    '[a\\]]+ 5 1:[]] ]',
    '\\d 8 1:[d] d',
  ]) {
    assert.ok(lines.includes(want), `missing: ${want}\n${kernel.stdout}`);
  }
  assert.equal(lines.filter((l) => l.endsWith(' failed')).length, 4);
  assert.deepEqual(lines.slice(-7), [
    `${lines.at(-7)!.split(' ')[0]} failed`,
    'Attempted to get subexpression 1 from failed match',
    'Attempted to get nonexistent subexpression 2',
    'Attempted to get subexpression count from failed match',
    'c',
    'Attempted to get nonexistent subexpression -1',
    '',
  ]);
});

test('a regex too large for a kernel DFA is refused with a reason', async () => {
  const r = await runTstap(['-p4', script(`probe kernel.trace("syscalls:sys_enter_getppid") { if (execname() =~ "(a|b)*a(a|b){12}") println(1) }\n`)]);
  assert.notEqual(r.rc, 0);
  assert.match(r.stderr, /a regular expression this large \(more than 1024 DFA states\)/);
});
