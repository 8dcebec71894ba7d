// Intrinsics with effects or session facts: ansi_*, log/warn/error/assert, stp_pid and friends.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type Value } from '../../src/intrinsics/index.js';

function capture(): { out: string[]; warnings: string[]; call: (name: string, ...args: Value[]) => Value | undefined } {
  const out: string[] = [];
  const warnings: string[] = [];
  const ctx = createIntrinsicContext({
    print: (s) => out.push(s),
    warn: (m) => warnings.push(m),
    session: { stpPid: 4242, target: 77, moduleName: 'stap_abc', remoteId: 2, remoteUri: 'ssh://h' },
  });
  return { out, warnings, call: (name, ...args) => callIntrinsic(ctx, name, ...args) };
}

test('ansi_* print the sequences of tapset/ansi.stp and return nothing', () => {
  const { out, call } = capture();
  assert.equal(call('ansi_set_color', 31n), undefined);
  call('ansi_set_color', 31n, 42n);
  call('ansi_set_color', 31n, 42n, 1n);
  call('ansi_set_color3', 31n, 42n, 0n); // attr 0 prints no third field
  call('ansi_reset_color');
  call('ansi_cursor_move', 10n, 5n); // y first
  call('ansi_clear_screen');
  call('ansi_new_line');
  assert.deepEqual(out, [
    '\x1b[31m', '\x1b[42;31m', '\x1b[42;31;1m', '\x1b[42;31m', '\x1b[0;0m', '\x1b[5;10H', '\x1b[1;1H\x1b[J', '\n',
  ]);
});

test('log prints a line, warn goes to the warning sink', () => {
  const { out, warnings, call } = capture();
  call('log', 'hello');
  call('warn', 'careful');
  assert.deepEqual(out, ['hello\n']);
  assert.deepEqual(warnings, ['careful']);
});

test('error and failed asserts raise errors printed without a location', () => {
  const { call } = capture();
  assert.throws(() => call('error', 'boom'), (e: unknown) => e instanceof StapRuntimeError && e.message === 'boom' && !e.withLocation);
  assert.throws(() => call('assert', 0n), new StapRuntimeError('Assertion failed', false));
  assert.throws(() => call('assert', 0n, 'custom'), { message: 'custom', withLocation: false });
  assert.equal(call('assert', 1n), undefined);
  assert.equal(call('assert', 5n, 'unused'), undefined);
});

test('session facts come from the context', () => {
  const { call } = capture();
  assert.equal(call('stp_pid'), 4242n);
  assert.equal(call('target'), 77n);
  assert.equal(call('module_name'), 'stap_abc');
  assert.equal(call('remote_id'), 2n);
  assert.equal(call('remote_uri'), 'ssh://h');
});
