// The signal tapset (tapset/linux/signal.stp, signal:* tracepoints and the kill syscalls):
// signals the workload sends to its children and to itself, with stap's variables.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('signal.send and signal.syskill: SIGUSR1 to each child, its pid, name and stap\'s si_code', async () => {
  const file = path.join(path.dirname(script('')), 'report.txt');
  const r = await runTstap(['-c', workload(`killchild ${file} 10 2`), script(`
global kids
probe kprocess.create { if (pid() == target() && new_pid != target()) kids[new_pid] = 1 }
probe signal.send {
  if (pid() == target() && sig_pid in kids)
    printf("send %d %s %s %d %s %d %d %d|%s\\n", sig_pid, name, pid_name, sig, sig_name, shared, send2queue, task != 0, si_code)
}
probe signal.syskill {
  if (pid() == target() && sig_pid in kids)
    printf("syskill %d %s %d %s %s %d\\n", sig_pid, name, sig, sig_name, pid_name, task_pid(task) == sig_pid)
}
`)]);
  assert.equal(r.stderr, '');
  const pids = fs.readFileSync(file, 'latin1').trim().split('\n').map((l) => l.split(' ')[0]);
  assert.equal(pids.length, 2);
  assert.equal(r.stdout, pids.map((p) =>
    `syskill ${p} syskill 10 SIGUSR1 cat 1\nsend ${p} signal_generate cat 10 SIGUSR1 1 0 1|SI_USER or SI_TIMER or SI_ASYNCIO\n`).join(''));
  assert.equal(r.rc, 0);
});

test('signal.handle: SIGUSR2 sent to itself N times is delivered N times; a fatal signal arrives as SIGKILL', async () => {
  const r = await runTstap(['-c', workload('sigself 12 5'), script(`
global sent, handled
probe signal.send { if (pid() == target() && sig_pid == target() && sig == 12) sent[sig_name, pid_name]++ }
probe signal.handle {
  if (pid() == target() && sig == 12) handled[name, sig_name, sig_code, sinfo != 0]++
}
probe end {
  foreach ([s, p] in sent) printf("sent %s %s %d\\n", s, p, sent[s, p])
  foreach ([n, s, c, i] in handled) printf("%s %s code=%d info=%d %d\\n", n, s, c, i, handled[n, s, c, i])
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'sent SIGUSR2 node 5\nhandle SIGUSR2 code=0 info=1 5\n');

  // A child killed by a default-action signal: the kernel turns the group exit into SIGKILL,
  // without siginfo (stap's sig_mode then says "User Mode Signal").
  const file = path.join(path.dirname(script('')), 'report.txt');
  const k = await runTstap(['-c', workload(`killchild ${file} 10 1`), script(`
global kids
probe kprocess.create { if (pid() == target() && new_pid != target()) kids[new_pid] = 1 }
probe signal.handle { if (pid() in kids) printf("%d %s %d %d %s\\n", pid(), sig_name, sinfo, sig_code, sig_mode) }
`)]);
  assert.equal(k.stderr, '');
  const pid = fs.readFileSync(file, 'latin1').trim().split(' ')[0];
  assert.equal(k.stdout, `${pid} SIGKILL 0 0 User Mode Signal\n`);
});

test('signal probes without a tracepoint name the kernel function they need', async () => {
  const r = await runTstap(['-e', 'probe signal.checkperm { printf("%s %s\\n", sig_name, pid_name) exit() }']);
  if (r.rc !== 0) assert.match(r.stderr, /kernel\.function\("check_kill_permission"\)/);
});
