// The kprocess tapset (tapset/linux/kprocess.stp): a process's life (create, start, exec,
// exec_complete, exit, release) for children the workload spawns, with stap's variables.
// Each child's events go into one string (kernel strings hold 63 bytes: short tags).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const LIFE = `
global kids, ev
probe kprocess.create { if (pid() == target() && new_pid != target()) { kids[new_pid] = 1; ev[new_pid] = sprintf("c%d", new_tid == new_pid && task != 0) } }
probe kprocess.start { if (pid() in kids) ev[pid()] .= sprintf(" s:%s", execname()) }
probe kprocess.exec { if (pid() in kids) ev[pid()] .= sprintf(" e:%s", filename) }
probe kprocess.exec_complete { if (pid() in kids) ev[pid()] .= sprintf(" x:%s,%d,%d,%s", name, success, errno, execname()) }
probe kprocess.exit { if (pid() in kids) ev[pid()] .= sprintf(" q:%d", code) }
probe kprocess.release { if (released_pid in kids) ev[released_pid] .= sprintf(" r%d", released_tid == released_pid) }
probe end { foreach (k+ in kids) printf("%d %s\\n", k, ev[k]) }
`;

test('kprocess.*: every step of two children\'s lives, in order, with exit codes', async () => {
  const file = path.join(path.dirname(script('')), 'report.txt');
  const r = await runTstap(['-c', workload(`spawn ${file} 2 /bin/sh -c "exit 3"`), script(LIFE)]);
  assert.equal(r.stderr, '');
  const pids = fs.readFileSync(file, 'latin1').trim().split('\n').map((l) => Number(l.split(' ')[0])).sort((a, b) => a - b);
  assert.equal(pids.length, 2);
  // do_exit's code for exit(3) is 3 << 8.
  assert.equal(r.stdout, pids.map((p) => `${p} c1 s:node e:"/bin/sh" x:execve,1,0,sh q:768 r1\n`).join(''));
  assert.equal(r.rc, 0);
});

test('kprocess.exec_complete: a failed exec has success 0 and errno -ENOENT', async () => {
  const file = path.join(path.dirname(script('')), 'report.txt');
  const r = await runTstap(['-c', workload(`spawn ${file} 1 /nonexistent/prog`), script(LIFE)]);
  assert.equal(r.stderr, '');
  // The child exits 127 (after the failed exec); it may be released after the run.
  assert.match(r.stdout, /^\d+ c1 s:node e:"\/nonexistent\/prog" x:execve,0,-2,node q:32512( r1)?\n$/);
});

test('kprocess.exit: a child killed by a signal has the signal as its code', async () => {
  const file = path.join(path.dirname(script('')), 'report.txt');
  const r = await runTstap(['-c', workload(`killchild ${file} 10 1`), script(`
global kids
probe kprocess.create { if (pid() == target() && new_pid != target()) kids[new_pid] = 1 }
probe kprocess.exit { if (pid() in kids) printf("%d %s %d\\n", pid(), execname(), code) }
`)]);
  assert.equal(r.stderr, '');
  const [pid, sig] = fs.readFileSync(file, 'latin1').trim().split(' ');
  assert.equal(sig, 'SIGUSR1');
  assert.equal(r.stdout, `${pid} cat 10\n`);
});
