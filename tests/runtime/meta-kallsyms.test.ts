// /proc/kallsyms: the live file checked against a naive reading, and fixed texts for ordering rules.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kallsyms } from '../../src/runtime/meta/kallsyms.js';

const live = ((): { text: string; k: Kallsyms } | undefined => {
  try {
    // One read for both readers: BPF programs loaded meanwhile by other tests add symbols.
    const text = readFileSync('/proc/kallsyms', 'latin1');
    const k = Kallsyms.parse(Buffer.from(text, 'latin1'));
    return k.restricted || k.count === 0 ? undefined : { text, k };
  } catch {
    return undefined;
  }
})();
const NO_KALLSYMS = live === undefined && '/proc/kallsyms is unreadable or its addresses are hidden (kptr_restrict)';

function naiveAddress(text: string, name: string): bigint | undefined {
  const m = new RegExp(`^([0-9a-f]+) [tTwW] ${name}$`, 'm').exec(text);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

test('live: vfs_read is found and addresses inside it symbolize to it', { skip: NO_KALLSYMS }, () => {
  const { text, k } = live!;
  const addr = naiveAddress(text, 'vfs_read');
  assert.ok(addr !== undefined);
  assert.equal(k.addressOf('vfs_read'), addr);
  const s = k.symbolize(addr + 5n);
  assert.deepEqual({ ...s, size: undefined }, { name: 'vfs_read', offset: 5, size: undefined, address: addr, module: undefined });
  assert.ok(s!.size! > 5 && s!.size! < 0x10000);
  assert.equal(k.format(addr + 5n), 'vfs_read+0x5');
  assert.equal(k.format(addr), 'vfs_read+0x0');
  const sym = k.lookup('vfs_read');
  assert.equal(sym.length, 1);
  assert.equal(sym[0]!.type.toLowerCase(), 't');
});

test('live: symbol count and ordering agree with the file', { skip: NO_KALLSYMS }, () => {
  const { text, k } = live!;
  const lines = text.split('\n').filter((l) => l !== '' && !/^0+ /.test(l) && !/^[0-9a-f]+ [aA] /.test(l));
  assert.equal(k.count, lines.length);
  for (let i = 1; i < k.count; i += 997) assert.ok(k.at(i - 1).address <= k.at(i).address);
  // Every 1000th symbol maps back to itself or an alias at the same address.
  for (let i = 0; i < k.count; i += 1000) {
    const s = k.at(i);
    const r = k.symbolize(s.address)!;
    assert.equal(r.address, s.address);
    assert.equal(r.offset, 0);
  }
  assert.equal(k.symbolize(0n), undefined);
  assert.equal(k.format(0x1234n), '0x1234');
  assert.ok(Kallsyms.read().count > 0);
});

const SAMPLE = [
  'ffffffff81000000 T _stext',
  'ffffffff81000000 T _text',
  'ffffffff81000100 t helper',
  'ffffffff81000200 T main_fn',
  '0000000000000000 A fixed_percpu_data',
  'ffffffffc0002000 t mod_fn2\t[mymod]',
  'ffffffffc0001000 t mod_fn\t[mymod]',
  'ffffffffc0003000 t bpf_prog_abc_handler\t[bpf]',
  'ffffffff81000100 t helper\t[othermod]',
  '',
].join('\n');

test('unsorted module symbols are ordered; aliases resolve to the first listed', () => {
  const k = Kallsyms.parse(Buffer.from(SAMPLE, 'latin1'));
  assert.equal(k.count, 8);
  assert.equal(k.format(0xffffffff81000000n), '_stext+0x0');
  assert.equal(k.format(0xffffffff810000ffn), '_stext+0xff');
  assert.equal(k.format(0xffffffff81000104n), 'helper+0x4');
  assert.equal(k.symbolize(0xffffffff81000104n)?.size, 0x100);
  assert.equal(k.symbolize(0xffffffff81000000n)?.size, 0x100, 'aliases are skipped when sizing');
  assert.equal(k.symbolize(0xffffffffc0003008n)?.size, undefined);
  assert.equal(k.format(0xffffffffc0001010n), 'mod_fn+0x10 [mymod]');
  assert.equal(k.format(0xffffffffc0002001n), 'mod_fn2+0x1 [mymod]');
  assert.equal(k.format(0xffffffffc0003008n), 'bpf_prog_abc_handler+0x8 [bpf]');
  assert.equal(k.symbolize(0xffffffff80ffffffn), undefined);
  assert.deepEqual(k.lookup('helper').map((s) => s.module), [undefined, 'othermod']);
  assert.equal(k.addressOf('helper'), 0xffffffff81000100n);
  assert.equal(k.addressOf('mod_fn'), 0xffffffffc0001000n);
  assert.equal(k.addressOf('elper'), undefined);
  assert.equal(k.addressOf('fixed_percpu_data'), undefined, 'absolute symbols are not addresses');
  assert.deepEqual(k.at(0), { name: '_stext', address: 0xffffffff81000000n, type: 'T', module: undefined });
});

test('hidden addresses (kptr_restrict) are reported, not symbolized', () => {
  const k = Kallsyms.parse(Buffer.from('0000000000000000 T _stext\n0000000000000000 t foo\n', 'latin1'));
  assert.equal(k.restricted, true);
  assert.equal(k.count, 0);
  assert.equal(k.symbolize(0xffffffff81000000n), undefined);
});

test('32-bit style short addresses and a missing final newline', () => {
  const k = Kallsyms.parse(Buffer.from('c1000000 T start\nc1000100 t next_one', 'latin1'));
  assert.equal(k.format(0xc1000105n), 'next_one+0x5');
  assert.equal(k.addressOf('start'), 0xc1000000n);
});
