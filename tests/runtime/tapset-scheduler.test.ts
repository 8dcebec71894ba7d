// The scheduler tapset (tapset/linux/scheduler.stp, sched:* tracepoints) on this kernel: stap's
// variables for a workload that sleeps, forks and execs known programs.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

/** A fresh file for the workload's report ("pid status" lines), and its lines once written. */
function report(): { file: string; lines: () => string[][] } {
  const file = path.join(path.dirname(script('')), 'report.txt');
  return { file, lines: () => fs.readFileSync(file, 'latin1').trim().split('\n').map((l) => l.split(' ')) };
}

test('scheduler.ctxswitch and scheduler.wakeup: the target switched out asleep, woken, switched in where wakeup said', async () => {
  // target() is 0 until the command is released: nothing before that counts.
  const r = await runTstap(['-c', workload('sleep 300'), script(`
global out_sw, asleep, in_sw, wakes, lastcpu, mismatch, names
probe scheduler.ctxswitch {
  if (target() == 0) next
  if (prev_tid == target()) {
    out_sw++
    names[name, prev_task_name, prev_pid == target(), prev_priority]++
    if (prevtsk_state != 0) asleep++
  }
  if (next_tid == target()) {
    in_sw++
    names[name, next_task_name, next_pid == target(), next_priority]++
    // It runs on the CPU the last wakeup (or migration) named.
    if (target() in lastcpu && lastcpu[target()] != cpu()) mismatch++
  }
}
probe scheduler.wakeup {
  if (target() && task_tid == target()) {
    wakes++
    lastcpu[task_tid] = task_cpu
    if (task_pid != target() || task_state != 0 || name != "wakeup") mismatch++
  }
}
// pid is the process: its other threads migrate too; $p->pid is the thread.
probe scheduler.migrate { if (target() && pid == target() && $p->pid == target()) lastcpu[target()] = cpu_to }
probe end {
  printf("out=%d asleep=%d in=%d wakeups=%d mismatches=%d\\n", out_sw > 0, asleep > 0, in_sw > 0, wakes > 0, mismatch)
  foreach ([n, c, p, pr] in names) if (c == "node") printf("%s %s %d %d\\n", n, c, p, pr)
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'out=1 asleep=1 in=1 wakeups=1 mismatches=0\nctxswitch node 1 120\n');
  assert.equal(r.rc, 0);
});

test('scheduler.process_fork/wakeup_new/process_exit/process_free/process_wait: exactly the children the target spawned', async () => {
  const rep = report();
  const r = await runTstap(['-c', workload(`spawn ${rep.file} 3 /bin/sh -c "exit 3"`), script(`
global kids, ev, waits
probe scheduler.process_fork {
  if (parent_pid == target() && child_pid != target()) {
    kids[child_pid] = 1
    ev[child_pid] = sprintf("%s(%d)", substr(name, 8, 4), child_tid == child_pid)
  }
}
probe scheduler.wakeup_new { if (task_pid in kids) ev[task_pid] .= sprintf(",%s(%d,%d)", substr(name, 0, 6), task_tid == task_pid, pid() == target()) }
probe scheduler.process_exit { if (pid in kids) ev[pid] .= sprintf(",%s(%d,%d)", substr(name, 8, 4), pid() == pid, priority) }
probe scheduler.process_free { if (pid in kids) ev[pid] .= sprintf(",%s", substr(name, 8, 4)) }
probe scheduler.process_wait { if (pid() == target()) waits++ }
probe end {
  foreach (k+ in kids) printf("%d %s\\n", k, ev[k])
  printf("waited=%d\\n", waits > 0)
}
`)]);
  assert.equal(r.stderr, '');
  const kids = rep.lines();
  assert.equal(kids.length, 3);
  assert.ok(kids.every(([, status]) => status === '3'));
  const expected = kids.map(([pid]) => Number(pid)).sort((a, b) => a - b)
    .map((pid) => `${pid} fork(1),wakeup(1,1),exit(1,120),free\n`).join('');
  assert.equal(r.stdout, expected + 'waited=1\n');
  assert.equal(r.rc, 0);
});

test('scheduler.cpu_off: task_prev is the current task; scheduler.cpu_on names the function it cannot probe', async () => {
  const r = await runTstap(['-c', workload('sleep 100'), script(`
global n, bad
probe scheduler.cpu_off { if (target() && pid() == target()) { n++; if (task_prev == task_next || idle || name != "cpu_off") bad++ } }
probe end { printf("%d %d\\n", n > 0, bad) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 0\n');

  // No tracepoint runs in the incoming task: cpu_on needs finish_task_switch() probed.
  const on = await runTstap(['-e', 'probe scheduler.cpu_on { exit() }']);
  if (on.rc !== 0) assert.match(on.stderr, /kernel\.function\("finish_task_switch"\)/);
});
