// The networking tapset (tapset/linux/networking.stp, net:* tracepoints): the workload's UDP
// datagrams to itself over loopback, counted and measured at each step.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('netdev.transmit/hard_transmit/rx/receive: N datagrams of 777 bytes on lo, their lengths and protocol', async () => {
  // Transmitted: 14 (Ethernet) + 20 (IPv4) + 8 (UDP) + 777 = 819 bytes; received: the
  // Ethernet header is pulled by then (805). Protocol 0x0800 as stored (big-endian) reads 8.
  const r = await runTstap(['-c', workload('udp 7 777'), script(`
global ev
probe netdev.transmit { if (dev_name == "lo" && length == 819) ev["transmit", protocol, pid() == target(), truesize >= length]++ }
probe netdev.hard_transmit { if (dev_name == "lo" && length == 819) ev["hard_transmit", protocol, pid() == target(), truesize >= length]++ }
probe netdev.rx { if (dev_name == "lo" && netdev != 0) ev["rx", protocol, pid() == target(), 1]++ }
probe netdev.receive { if (dev_name == "lo" && length == 805) ev["receive", protocol, 1, truesize >= length]++ }
probe end { foreach ([n, p, t, s] in ev) printf("%s %d %d %d %d\\n", n, p, t, s, ev[n, p, t, s]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'transmit 8 1 1 7\nhard_transmit 8 1 1 7\nrx 8 1 1 7\nreceive 8 1 1 7\n');
  assert.equal(r.rc, 0);
});
