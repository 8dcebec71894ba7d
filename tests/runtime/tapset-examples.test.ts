// The classic-style example scripts over the tracepoint tapsets (examples/forkexec.stp,
// examples/sigmon.stp), run unmodified: they trace the whole system, so only the lines about
// the workload's own children are checked, exactly.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

/** The workload's report file in a fresh directory, and its lines' first words (pids) once written. */
function report(): { file: string; pids: () => string[] } {
  const file = path.join(path.dirname(script('')), 'report.txt');
  return { file, pids: () => fs.readFileSync(file, 'latin1').trim().split('\n').map((l) => l.split(' ')[0]!) };
}

/** Columns of the output lines (split on runs of spaces) whose column `col` is one of `pids`. */
const about = (out: string, col: number, pids: string[]): string[][] =>
  out.split('\n').map((l) => l.split(/ +/)).filter((w) => pids.includes(w[col]!));

test('examples/forkexec.stp: each child\'s fork, exec and exit status', async () => {
  const rep = report();
  const r = await runTstap(['examples/forkexec.stp', '-c', workload(`spawn ${rep.file} 2 /bin/sh -c "exit 3"`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.rc, 0);
  assert.match(r.stdout, /^PID {5}PPID {4}COMMAND {10}EVENT\n/);
  const kids = rep.pids();
  assert.equal(kids.length, 2);
  const forks = r.stdout.split('\n').map((l) => l.split(/ +/)).filter((w) => w[3] === 'fork' && kids.includes(w[5]!));
  assert.equal(forks.length, 2);
  const parent = forks[0]![0]!;
  assert.deepEqual(forks.map((w) => [w[0], w[2], w[5]]), kids.map((k) => [parent, 'node', k]));
  for (const k of kids) {
    assert.deepEqual(about(r.stdout, 0, [k]), [
      [k, parent, 'node', 'exec', '"/bin/sh"'],
      [k, parent, 'sh', 'exit', '3'],
    ]);
  }
});

test('examples/forkexec.stp: a failed exec and a child killed by a signal', async () => {
  const rep = report();
  const r = await runTstap(['examples/forkexec.stp', '-c', workload(`spawn ${rep.file} 1 /nonexistent/prog`)]);
  assert.equal(r.stderr, '');
  const kid = r.stdout.split('\n').map((l) => l.split(/ +/)).find((w) => w[3] === 'exec' && w[4] === '"/nonexistent/prog"')?.[0];
  assert.ok(kid);
  assert.deepEqual(about(r.stdout, 0, [kid]).map((w) => w.slice(2).join(' ')), [
    'node exec "/nonexistent/prog"',
    'node exec failed: ENOENT',
    'node exit 127',
  ]);

  const k = report();
  const s = await runTstap(['examples/forkexec.stp', '-c', workload(`killchild ${k.file} 10 1`)]);
  assert.equal(s.stderr, '');
  const [cat] = k.pids();
  assert.deepEqual(about(s.stdout, 0, [cat!]).map((w) => w.slice(2).join(' ')), ['node exec "/bin/cat"', 'cat killed by signal 10']);
});

test('examples/sigmon.stp: SIGUSR1 to each child, SIGCHLD back, and the summary of deliveries', async () => {
  const rep = report();
  const r = await runTstap(['examples/sigmon.stp', '-c', workload(`killchild ${rep.file} 10 2`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.rc, 0);
  const kids = rep.pids();
  assert.equal(kids.length, 2);
  const [live, summary] = r.stdout.split('\n\n');
  assert.match(live!, /^SPID {4}SENDER {11}RPID {4}RECEIVER {9}SIGNAL\n/);
  const sent = about(live!, 2, kids);
  const parent = sent[0]![0]!;
  assert.deepEqual(sent, kids.map((k) => [parent, 'node', k, 'cat', 'SIGUSR1']));
  assert.deepEqual(about(live!, 0, kids), kids.map((k) => [k, 'cat', parent, 'node', 'SIGCHLD']));
  // A default-action signal reaches the dying child as SIGKILL.
  assert.match(summary!, /^PID {5}COMMAND {10}SIGNAL {5}DELIVERED\n/);
  assert.deepEqual(about(summary!, 0, kids), kids.map((k) => [k, 'cat', 'SIGKILL', '1']));
});
