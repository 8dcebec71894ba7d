// The snapshot's warm-up (src/cli/warm-up.ts) runs passes 1-4 while the snapshot is built: it
// must succeed (else it warms nothing) and must not read anything of the machine the snapshot
// would then carry to every run (BTF, CPUs, tracefs, /proc).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { warmUp } from '../../src/cli/warm-up.js';
import { TAPSET_DIR } from '../../src/cli/main.js';

// The module object itself (an `import * as` namespace only has getters onto it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs') as Record<string, unknown>;

test('the warm-up compiles its script and reads nothing of the machine', () => {
  const read: string[] = [];
  const spied = ['readFileSync', 'openSync', 'readdirSync', 'statSync', 'existsSync'] as const;
  const saved = spied.map((name) => [name, fs[name]] as const);
  for (const [name, f] of saved) {
    fs[name] = (p: unknown, ...rest: unknown[]) => {
      read.push(String(p));
      return (f as (...a: unknown[]) => unknown)(p, ...rest);
    };
  }
  let programs: number;
  try {
    programs = warmUp(TAPSET_DIR);
  } finally {
    for (const [name, f] of saved) fs[name] = f;
  }
  assert.equal(programs, 2, 'begin and end compiled to eBPF');
  assert.deepEqual(read.filter((p) => /^\/(sys|proc|dev)\//.test(p)), []);
});
