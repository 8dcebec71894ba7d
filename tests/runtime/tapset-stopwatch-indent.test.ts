// Stopwatches and indentation (tapset/stopwatch.stp, tapset/indent.stp): script code with global
// state, the same in the interpreter and in kernel handlers, which share it.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('a stopwatch started in begin runs in kernel handlers; stopped, it keeps its total', async () => {
  const r = await runTstap(['-c', workload('getppid 3'), script(`
global n, stopped
probe begin { start_stopwatch("run"); start_stopwatch("gone"); delete_stopwatch("gone") }
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next
  n++
  if (n == 1) { start_stopwatch("run"); printf("running %d\\n", read_stopwatch_us("run") > 0) }
  if (n == 2) { stop_stopwatch("run"); stopped = read_stopwatch_ns("run") }
  if (n == 3) printf("kept %d %d\\n", read_stopwatch_ns("run") == stopped, read_stopwatch_ms("run") == stopped / 1000000)
}
probe end {
  printf("end %d %d %d %d\\n", read_stopwatch_ns("run") == stopped, read_stopwatch_s("run"), read_stopwatch_ns("gone"), read_stopwatch_ns("never"))
  start_stopwatch("run"); printf("again %d\\n", read_stopwatch_ns("run") >= stopped)
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'running 1\nkept 1 1\nend 1 0 0 0\nagain 1\n');
});

const INDENT = `
  printf("[%s][%s][%s][%s]", indent(1), indent(1), indent(-1), indent(-1))
  printf(" %d %d %d %d %d\\n", indent_depth(1), indent_depth(1), indent_depth(-1), indent_depth(-1), indent_depth(-1))
  printf("%s|\\n", thread_indent(1))
  printf("%s|\\n", thread_indent(1))
  printf("%s|\\n", thread_indent(-1))
  printf("%s|%d\\n", thread_indent(-1), thread_indent_depth(0))
`;

/** The lines with every timestamp (a right-aligned number before a space) shown as T. */
const shape = (out: string) => out.replace(/ *\d+ (\S*:)/g, 'T $1');

test('indent and thread_indent: depth in spaces after a timestamp, in the interpreter and the kernel', async () => {
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next ${INDENT} }
`)]);
  assert.equal(kernel.stderr, '');
  const name = /(\S+\(\d+\)):/.exec(kernel.stdout)?.[1] ?? '';
  assert.equal(shape(kernel.stdout), [
    '[T :][T : ][T : ][T :] 0 1 1 0 0',
    `T ${name}:|`, `T ${name}: |`, `T ${name}: |`, `T ${name}:|0`, '',
  ].join('\n'));
  assert.match(name, /^node\(\d+\)$/);
  const interp = await runTstap([script(`probe begin { ${INDENT} exit() }`)]);
  assert.equal(interp.stderr, '');
  assert.equal(shape(interp.stdout).split('\n')[0], '[T :][T : ][T : ][T :] 0 1 1 0 0');
  // The first call of each nesting starts the clock: its timestamp is 0.
  assert.match(kernel.stdout, /^\[ {5}0 :\]/);
});
