// A reader that goes away (`tstap ... | head -1`) ends the run quietly, as SIGPIPE ends stap:
// no stack trace, status 0.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../corpus-runner.js';

test('tstap | head -1: one line, then a quiet end', () => {
  const r = spawnSync('/bin/sh', ['-c', `./bin/tstap -e 'probe syscall.getppid, timer.ms(1) { println("tick") }' 2>/tmp/tstap-epipe.err | head -1; cat /tmp/tstap-epipe.err`], {
    cwd: ROOT, encoding: 'latin1', timeout: 60000,
  });
  assert.equal(r.status, 0);
  // tstap's stderr follows its one line: it must be empty (no EPIPE stack trace).
  assert.equal(r.stdout, 'tick\n');
});
