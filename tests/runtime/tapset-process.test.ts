// process.begin / process.end (tapset/linux/process.stp) for children the workload spawns.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('process.begin and process.end: each child begins in its own context and ends once', async () => {
  const file = path.join(path.dirname(script('')), 'report.txt');
  const r = await runTstap(['-c', workload(`spawn ${file} 3 /bin/sh -c "exit 5"`), script(`
global begun, ended
probe process.begin { if (ppid() == target()) begun[pid()] = pid() == tid() }
probe process.end { if (pid() in begun) ended[pid()] = sprintf("%s:%d", execname(), pid() == tid()) }
probe end { foreach (p+ in begun) printf("%d %d %s\\n", p, begun[p], ended[p]) }
`)]);
  assert.equal(r.stderr, '');
  const pids = fs.readFileSync(file, 'latin1').trim().split('\n').map((l) => Number(l.split(' ')[0])).sort((a, b) => a - b);
  assert.equal(pids.length, 3);
  assert.equal(r.stdout, pids.map((p) => `${p} 1 sh:1\n`).join(''));
});

test('process.thread.begin: the threads of a process, not the process itself', async () => {
  // node starts threads of its own (V8's workers, libuv's pool); the target itself was
  // created before the probes were armed.
  const r = await runTstap(['-c', 'node -e "setTimeout(() => {}, 300)"', script(`
global threads, leaders
probe process.thread.begin { if (pid() == target()) threads++ }
probe process.begin { if (pid() == target()) leaders++ }
probe end { printf("%d %d\\n", threads > 0, leaders) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 0\n');
});

test('process("PATH").begin/.end: processes running that program (by inode: /bin/true is /usr/bin/true), from exec and fork; others not', async () => {
  const r = await runTstap(['-c', 'sh -c "/usr/bin/true; /bin/true; sleep 0.05; (exec /usr/bin/sleep 0.01)"', script(`
global n
probe process("/usr/bin/true").begin { printf("begin %s %d\\n", execname(), pid() == tid()) }
probe process("true").end { printf("end %s\\n", execname()) }
probe process("sleep").begin, process("sleep").end { n[execname()]++ }
probe end { foreach (k in n) printf("%s %d\\n", k, n[k]) }
`)]);
  assert.equal(r.stderr, '');
  // Two sleeps began (exec) and ended; a forked sh that has not exec'd sleep yet is not one.
  assert.equal(r.stdout, 'begin true 1\nend true\nbegin true 1\nend true\nsleep 4\n');
});

test('process(PID).end and process(PID).thread.end: that process only', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn('sleep', ['0.4']);
  try {
    const r = await runTstap(['-x', String(child.pid), '-e', `
probe process(${child.pid}).end { printf("end %d %d\\n", pid() == ${child.pid}, pid() == target()); exit() }
probe process(${child.pid}).thread.end { println("thread end?") }`]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'end 1 1\n');
  } finally {
    child.kill();
  }
});

test('process("PATH") of a program that does not exist: an error at the point', async () => {
  const r = await runTstap(['-p2', '-e', 'probe process("/no/such/program").begin { }']);
  assert.match(r.stderr, /semantic error: cannot find executable '\/no\/such\/program'.*\n.*source: probe process/);
});
