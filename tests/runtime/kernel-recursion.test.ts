// Recursive script functions in kernel handlers: BPF has no recursion, so each level is an
// inlined copy down to MAXNESTING, where the call is stap's "MAXNESTING exceeded" (catchable),
// exactly where the interpreter raises it. A function too big to copy that deep is a pass-3
// error naming it (a begin/end handler under --runtime=bpf then runs in the interpreter).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const FUNCTIONS = `
function fact(n) { if (n <= 1) return 1; return n * fact(n - 1) }
function rev:string(s:string) { if (strlen(s) <= 1) return s; return rev(substr(s, 1, strlen(s) - 1)) . substr(s, 0, 1) }
function even(n) { if (n == 0) return 1; return odd(n - 1) }
function odd(n) { if (n == 0) return 0; return even(n - 1) }
`;
/** One event's lines; `k` counts events from 1. */
const BODY = `
  printf("%d %d %s %d %d\\n", fact(k), fact(deep), rev(name), even(k), odd(7))
  try { println(fact(k + deep - 1)) } catch (e) { println("caught: ", e) }
`;

async function inKernel(defines: string[], deep: number): Promise<string> {
  const r = await runTstap([...defines, '-c', workload('getppid 3'), script(`global k${FUNCTIONS}
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next
  k++; deep = ${deep}; name = execname()${BODY}}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.rc, 0);
  return r.stdout;
}

async function inInterpreter(defines: string[], deep: number): Promise<string> {
  const r = await runTstap([...defines, script(`global k${FUNCTIONS}
probe begin {
  for (k = 1; k <= 3; k++) { deep = ${deep}; name = "node"; ${BODY} }
  exit()
}
`)]);
  assert.equal(r.stderr, '');
  return r.stdout;
}

test('recursion in a kernel handler: results, MAXNESTING at the interpreter\'s depth, caught', async () => {
  // MAXNESTING here is stap's default: the longest call chain (probe -> even -> odd -> even) + 1, + 10 for recursion.
  const out = await inKernel([], 14);
  assert.equal(out, [
    '1 87178291200 edon 0 1', '87178291200',
    '2 87178291200 edon 1 1', 'caught: MAXNESTING exceeded',
    '6 87178291200 edon 0 1', 'caught: MAXNESTING exceeded', '',
  ].join('\n'));
  assert.equal(out, await inInterpreter([], 14));
});

test('-D MAXNESTING=N bounds kernel recursion as it bounds the interpreter\'s', async () => {
  const fact = 'function fact(n) { if (n <= 1) return 1; return n * fact(n - 1) }';
  const each = 'try { println(fact(k + 3)) } catch (e) { println("caught: ", e) }';
  const kernel = await runTstap(['-D', 'MAXNESTING=5', '-c', workload('getppid 3'), script(`global k ${fact}
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next; k++; ${each} }
`)]);
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, '24\n120\ncaught: MAXNESTING exceeded\n');
  const interp = await runTstap(['-D', 'MAXNESTING=5', script(`global k ${fact}
probe begin { for (k = 1; k <= 3; k++) { ${each} } exit() }
`)]);
  assert.equal(interp.stdout, kernel.stdout);
});

test('a recursive begin handler runs in the kernel under --runtime=bpf, as the interpreter', async () => {
  const src = script(`${FUNCTIONS}
probe begin { println(fact(10), " ", rev("recursion"), " ", even(9)); try { println(fact(40)) } catch (e) { println(e) } exit() }
`);
  const bpf = await runTstap(['--runtime=bpf', '-v', src]);
  assert.doesNotMatch(bpf.stderr, /runs in the interpreter/);
  assert.equal(bpf.stdout, '3628800 noisrucer 0\nMAXNESTING exceeded\n');
  assert.equal(bpf.rc, 0);
  assert.equal((await runTstap([src])).stdout, bpf.stdout);
});

test('a function calling itself from two places, too big to copy MAXNESTING deep, is a clear pass-3 error', async () => {
  const r = await runTstap(['-p3', '-e', 'function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2) } ' +
    'probe kernel.trace("syscalls:sys_enter_getppid") { println(fib(3)) }']);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /^semantic error: not supported in kernel context yet: recursive function fib\(\) at MAXNESTING 13: each level of its calls is a copy, more than 24576 instructions in all \(a smaller -D MAXNESTING may fit\): identifier 'fib' at <input>:1:60\n/);
  // Shallow enough, it fits.
  const small = await runTstap(['-D', 'MAXNESTING=6', '-c', workload('getppid 1'), '-e', 'function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2) } ' +
    'probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) { println(fib(5)); try { println(fib(7)) } catch (e) { println(e) } } }']);
  assert.equal(small.stderr, '');
  assert.equal(small.stdout, '5\nMAXNESTING exceeded\n');
});
