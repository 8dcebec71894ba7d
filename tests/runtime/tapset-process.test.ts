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
