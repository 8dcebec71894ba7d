// Language conformance, run time: every script in tests/corpus/run prints exactly the stdout
// and stderr stap 4.8 would (derived in tests/corpus/run/README.md) and exits the same way,
// run by the user-space interpreter.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, headerArgs, runTstap } from './corpus-runner.js';

const dir = path.join(ROOT, 'tests/corpus/run');
const scripts = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.stp')).sort() : [];

test('the run corpus is there', () => {
  assert.ok(scripts.length >= 200, `only ${scripts.length} run scripts`);
});

for (const name of scripts) {
  const base = path.join(dir, name.slice(0, -4));
  test(`runs: ${name}`, { timeout: 20_000 }, async () => {
    const text = fs.readFileSync(base + '.stp', 'latin1');
    const { opts, argv } = headerArgs(text);
    const exit = Number(/^\/\/ exit:\s*(\d+)/m.exec(text)?.[1] ?? 0);
    const read = (ext: string) => (fs.existsSync(base + ext) ? fs.readFileSync(base + ext, 'latin1') : '');
    const r = await runTstap([...opts, path.join('tests/corpus/run', name), ...argv]);
    assert.equal(r.stdout, read('.out'));
    assert.equal(r.stderr, read('.err'));
    assert.equal(r.rc, exit);
  });
}
