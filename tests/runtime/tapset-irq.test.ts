// The irq tapset (tapset/linux/irq.stp, irq:* tracepoints): softirqs raised by the workload's
// own loopback traffic, hardware interrupt handlers of this machine, irqflags_str.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('softirq.entry/exit: NET_RX runs in the target\'s context for its loopback datagrams, entries and exits pair up', async () => {
  const r = await runTstap(['-c', workload('udp 5 777'), script(`
global entries, exits, netrx
probe softirq.entry { if (target() && pid() == target()) { entries[vec_nr]++; if (vec_nr == 3) netrx++ } }
probe softirq.exit { if (target() && pid() == target()) exits[vec_nr]++ }
probe end {
  printf("netrx=%d\\n", netrx > 0)
  foreach (v in entries) if (entries[v] != exits[v] || v < 0 || v > 9) printf("unpaired %d: %d %d\\n", v, entries[v], exits[v])
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'netrx=1\n');
});

test('irq_handler.entry/exit: the same irqaction on both sides, returns IRQ_NONE/HANDLED/WAKE_THREAD', async () => {
  // Device interrupts of this machine over half a second (none may come: the test then checks nothing).
  const r = await runTstap(['-c', workload('sleep 500'), script(`
global open, bad
probe irq_handler.entry { open[cpu()] = action; if (irq < 0 || dev_name == 0 || strlen(kernel_string(dev_name)) == 0) bad++ }
probe irq_handler.exit { if (cpu() in open && open[cpu()] != action) bad++; if (ret < 0 || ret > 3) bad++; delete open[cpu()] }
probe end { printf("bad=%d\\n", bad) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'bad=0\n');
});

test('irqflags_str: stap\'s names and order, unknown bits in hex', async () => {
  const r = await runTstap(['-e', `probe begin {
  println(irqflags_str(0)); println(irqflags_str(0x80)); println(irqflags_str(0x2080))
  println(irqflags_str(0x14200)); println(irqflags_str(0x200000)); println(irqflags_str(0x200080))
  exit()
}`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '0x0\nIRQF_SHARED\nIRQF_SHARED|IRQF_ONESHOT\nIRQF_TIMER\n0x200000\nIRQF_SHARED|0x200000\n');
});
