// Language conformance, pass 1: every must-parse script prints exactly stap 4.8's -p1 tree,
// and every must-fail script prints exactly stap's diagnostics and exits 1.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { corpus, headerArgs, runTstap } from './corpus-runner.js';

const parseCases = corpus('tests/corpus/parse', '.p1');
const failCases = corpus('tests/corpus/fail', '.err');

test('the corpora are there', () => {
  assert.ok(parseCases.length >= 150, `only ${parseCases.length} must-parse scripts`);
  assert.ok(failCases.length >= 150, `only ${failCases.length} must-fail scripts`);
});

for (const c of parseCases) {
  test(`parses: ${c.rel}`, async () => {
    const { opts, argv } = headerArgs(c.script);
    const r = await runTstap(['-p1', ...opts, c.rel, ...argv]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, c.expected);
    assert.equal(r.rc, 0);
  });
}

for (const c of failCases) {
  test(`rejects: ${c.rel}`, async () => {
    const { opts, argv } = headerArgs(c.script);
    const r = await runTstap(['-p1', ...opts, c.rel, ...argv]);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, c.expected);
    assert.equal(r.rc, 1);
  });
}
