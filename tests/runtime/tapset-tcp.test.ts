// The tcp, udp and tcpmib tapsets (tapset/linux/tcp.stp, udp.stp, tcpmib.stp: sock:*, tcp:*,
// udp:* tracepoints) on this kernel: connections over loopback between ports the test chose
// (tests/workloads/net.ts), so that other traffic on the machine cannot match; each socket's
// events asserted exactly, in order.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { runTstap } from '../corpus-runner.js';
import { script } from './kernel-fixtures.js';

const netWorkload = (args: string) => `node dist/tests/workloads/net.js ${args}`;

/** n distinct ports no TCP or UDP socket uses now (each was just free on every address). */
async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  for (let i = 0; i < n; i++) {
    servers.push(await new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, () => resolve(s));
    }));
  }
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

// The role of a socket of the workload's connection: "listener", "client" or "server", from its
// ports ($1: the listener's port, $2: the client's); "" for any other socket on the machine.
// sport is the socket's inet_sport (as stap's), which the kernel keeps after it has released
// the port on entering TCP_CLOSE: every event of a socket, its destruction included, is found.
const ROLE = `
function role:string (sport:long, dport:long) {
  if (sport == $1 && dport == 0) return "listener"
  if (sport == $2 && dport == $1) return "client"
  if (sport == $1 && dport == $2) return "server"
  return ""
}
`;

for (const v of [4, 6]) {
  const lo = v === 4 ? '127.0.0.1' : '0000:0000:0000:0000:0000:0000:0000:0001';
  const any = v === 4 ? '0.0.0.0' : '0000:0000:0000:0000:0000:0000:0000:0000';
  const family = v === 4 ? 2 : 10;
  test(`tcp.state_change, tcp.sendmsg.return, tcp.recvmsg.return, tcp.destroy_sock: one IPv${v} connection, every socket's events in order`, async () => {
    const [port, cport] = await freePorts(2);
    const r = await runTstap(['-c', netWorkload(`tcp-conn ${v} ${port} ${cport}`), script(`${ROLE}
global seq, addr, bad
probe tcp.state_change {
  r = role(sport, dport)
  if (r == "") next
  seq[r] .= sprintf(" %s>%s", old_state_str, new_state_str)
  if (old_state_str != tcp_sockstate_str(old_state) || name != "tcp.state_change") bad++
  a = sprintf("%d %s %s", family, saddr, daddr)
  if (r in addr && addr[r] != a) bad++
  addr[r] = a
}
probe tcp.sendmsg.return, tcp.recvmsg.return {
  r = role(sport, dport)
  if (r != "") seq[r] .= sprintf(" %s=%d", name, size)
}
probe tcp.destroy_sock {
  r = role(sport, dport)
  if (r != "") seq[r] .= " destroyed"
}
probe end {
  foreach (r in seq) printf("%s:%s\\n", r, seq[r])
  foreach (r in addr) printf("%s %s\\n", r, addr[r])
  printf("bad %d\\n", bad)
}
`), String(port), String(cport)]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, [
      'listener: TCP_CLOSE>TCP_LISTEN TCP_LISTEN>TCP_CLOSE destroyed',
      'client: TCP_CLOSE>TCP_SYN_SENT TCP_SYN_SENT>TCP_ESTABLISHED tcp.sendmsg=5 TCP_ESTABLISHED>TCP_FIN_WAIT1 TCP_FIN_WAIT1>TCP_FIN_WAIT2 TCP_FIN_WAIT2>TCP_CLOSE destroyed',
      'server: TCP_LISTEN>TCP_SYN_RECV TCP_SYN_RECV>TCP_ESTABLISHED tcp.recvmsg=5 TCP_ESTABLISHED>TCP_CLOSE_WAIT tcp.recvmsg=0 TCP_CLOSE_WAIT>TCP_LAST_ACK TCP_LAST_ACK>TCP_CLOSE destroyed',
      `listener ${family} ${lo} ${any}`,
      `client ${family} ${lo} ${lo}`,
      `server ${family} ${lo} ${lo}`,
      'bad 0',
      '',
    ].join('\n'));
    assert.equal(r.rc, 0);
  });
}

// The state changes of the workload's connection (tcp-conn), by role.
const CONN_CHANGES: Record<string, [string, string][]> = {
  listener: [['CLOSE', 'LISTEN'], ['LISTEN', 'CLOSE']],
  client: [['CLOSE', 'SYN_SENT'], ['SYN_SENT', 'ESTABLISHED'], ['ESTABLISHED', 'FIN_WAIT1'], ['FIN_WAIT1', 'FIN_WAIT2'], ['FIN_WAIT2', 'CLOSE']],
  server: [['LISTEN', 'SYN_RECV'], ['SYN_RECV', 'ESTABLISHED'], ['ESTABLISHED', 'CLOSE_WAIT'], ['CLOSE_WAIT', 'LAST_ACK'], ['LAST_ACK', 'CLOSE']],
};

for (const v of [4, 6]) {
  test(`tcp_ts_get_info_state, tcpmib_get_state, tcpmib_local/remote_port/addr, __tcp_sock_sport/dport: every socket of one IPv${v} connection`, async () => {
    const [port, cport] = await freePorts(2);
    const r = await runTstap(['-c', netWorkload(`tcp-conn ${v} ${port} ${cport}`), script(`${ROLE}
global seq
probe tcp.state_change {
  r = role(sport, dport)
  if (r == "") next
  seq[r] .= sprintf("\\n  %s>%s: %s %d ports %d:%d %d:%d", old_state_str, new_state_str,
                    tcp_sockstate_str(tcp_ts_get_info_state(sock)), tcpmib_get_state(sock),
                    tcpmib_local_port(sock), tcpmib_remote_port(sock), __tcp_sock_sport(sock), __tcp_sock_dport(sock))
  if (family == 2) seq[r] .= sprintf(" addrs %x:%x", tcpmib_local_addr(sock), tcpmib_remote_addr(sock))
}
probe end { foreach (r in seq) printf("%s:%s\\n", r, seq[r]) }
`), String(port), String(cport)]);
    assert.equal(r.stderr, '');
    // The tracepoint comes before the kernel stores the new state: the socket is still in the
    // old one. Addresses (IPv4 only: stap's are kernel addresses for IPv6) in host order.
    const ports: Record<string, [number, number]> = { listener: [port, 0], client: [cport, port], server: [port, cport] };
    const addrs: Record<string, string> = { listener: '7f000001:0', client: '7f000001:7f000001', server: '7f000001:7f000001' };
    const states = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];
    assert.equal(r.stdout, Object.entries(CONN_CHANGES).map(([role, changes]) => `${role}:` + changes.map(([from, to]) => {
      const [l, rem] = ports[role]!;
      return `\n  TCP_${from}>TCP_${to}: TCP_${from} ${states.indexOf(from)} ports ${l}:${rem} ${l}:${rem}` + (v === 4 ? ` addrs ${addrs[role]}` : '');
    }).join('') + '\n').join(''));
    assert.equal(r.rc, 0);
  });
}

test('tcp_get_info_rto, tcp_get_info_snd_cwnd, tcp_ts_get_info_snd_ssthresh, tcp_ts_get_info_rcv_mss: a new socket, then an established one', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`tcp-conn 4 ${port} ${cport}`), script(`${ROLE}
probe tcp.state_change {
  r = role(sport, dport)
  if (r == "" || !(new_state == 10 || new_state == 2 || (r == "server" && new_state == 1))) next
  rto = tcp_get_info_rto(sock)
  printf("%s %s: cwnd %d ssthresh %d rcv_mss %d rto %s\\n", r, new_state_str, tcp_get_info_snd_cwnd(sock),
         tcp_ts_get_info_snd_ssthresh(sock), tcp_ts_get_info_rcv_mss(sock),
         rto == 1000000 ? "1s" : rto >= 200000 && rto < 1000000 ? "measured" : sprintf("%d", rto))
}
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  // A new socket (the listener, the client before its SYN) has the initial window (10 segments,
  // TCP_INIT_CWND), no slow start threshold yet (TCP_INFINITE_SSTHRESH), no estimate of its
  // peer's segments, and the initial RTO (TCP_TIMEOUT_INIT, 1 s: icsk_rto is in jiffies, this
  // checks the conversion with the kernel's HZ). The server established: the initial window
  // again (set as it leaves TCP_SYN_RECV), the peer's segment size estimated as
  // TCP_MSS_DEFAULT (536), an RTO from the SYN-ACK's round trip: TCP_RTO_MIN (200 ms) plus a
  // few microseconds at most, in whole jiffies.
  assert.equal(r.stdout, [
    'listener TCP_LISTEN: cwnd 10 ssthresh 2147483647 rcv_mss 0 rto 1s',
    'client TCP_SYN_SENT: cwnd 10 ssthresh 2147483647 rcv_mss 0 rto 1s',
    'server TCP_ESTABLISHED: cwnd 10 ssthresh 2147483647 rcv_mss 536 rto measured',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});

test('tcp.state_change, tcp.destroy_sock: sport of a client not bound is 0 until connect() picks the port, which stays after the kernel releases it', async () => {
  const [port] = await freePorts(1);
  const r = await runTstap(['-c', netWorkload(`tcp-conn 4 ${port} 0`), script(`
global p, seq
function sp:string (sport:long) { return sport == 0 ? "0" : sport == p ? "P" : sprintf("%d", sport) }
probe tcp.state_change {
  if (dport != $1 || sport == $1) next   // the client: to the listener's port, from another
  if (!p && sport) p = sport
  seq .= sprintf(" %s>%s:%s,%s", old_state_str, new_state_str, sp(sport), sp(tcpmib_local_port(sock)))
}
probe tcp.state_change {
  if (sport == $1 && dport != 0 && new_state == 1) seq .= sprintf(" server-to:%s", sp(dport))
}
probe tcp.destroy_sock {
  if (dport == $1 && sport != $1) seq .= sprintf(" destroyed:%s", sp(sport))
}
probe end { printf("%d%s\\n", p, seq) }
`), String(port)]);
  assert.equal(r.stderr, '');
  const [p, ...rest] = r.stdout.trimEnd().split(' ');
  assert.ok(Number(p) >= 1024 && Number(p) <= 65535 && Number(p) !== port, r.stdout);
  // connect() moves the socket to TCP_SYN_SENT, then picks its port (inet_hash_connect), as
  // stap sees it; on entering TCP_CLOSE the kernel releases a port it picked (skc_num becomes 0)
  // but inet_sport keeps it.
  assert.deepEqual(rest, [
    'TCP_CLOSE>TCP_SYN_SENT:0,0', 'TCP_SYN_SENT>TCP_ESTABLISHED:P,P', 'server-to:P', 'TCP_ESTABLISHED>TCP_FIN_WAIT1:P,P',
    'TCP_FIN_WAIT1>TCP_FIN_WAIT2:P,P', 'TCP_FIN_WAIT2>TCP_CLOSE:P,P', 'destroyed:P',
  ]);
  assert.equal(r.rc, 0);
});

test('tcp.receive_reset, tcp.state_change: a connect() refused by a reset', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`tcp-refused ${port} ${cport}`), script(`
probe tcp.state_change {
  if (sport == $2 && dport == $1) printf("%s %s>%s\\n", name, old_state_str, new_state_str)
}
probe tcp.receive_reset {
  if (sport == $2 && dport == $1) printf("%s %s %d %s:%d > %s:%d\\n", name, state_str, family, saddr, sport, daddr, dport)
}
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'tcp.state_change TCP_CLOSE>TCP_SYN_SENT',
    `tcp.receive_reset TCP_SYN_SENT 2 127.0.0.1:${cport} > 127.0.0.1:${port}`,
    'tcp.state_change TCP_SYN_SENT>TCP_CLOSE',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});

test('tcp.send_reset, __tcp_skb_*: the reset refusing a connect() (no socket: the addresses of the segment it answers, reversed)', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`tcp-refused ${port} ${cport}`), script(`
probe tcp.send_reset {
  if (sport == $1 && dport == $2) {
    printf("%s sock=%d skb=%d %s %d %s:%d > %s:%d\\n", name, sock, skb != 0, state_str, family, saddr, sport, daddr, dport)
    // The segment answered, read by stap's TCP header functions.
    th = __get_skb_tcphdr(skb)
    printf("%d > %d fin %d syn %d rst %d psh %d ack %d urg %d\\n", __tcp_skb_sport(th), __tcp_skb_dport(th), __tcp_skb_fin(th),
           __tcp_skb_syn(th), __tcp_skb_rst(th), __tcp_skb_psh(th), __tcp_skb_ack(th), __tcp_skb_urg(th))
  }
}
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `tcp.send_reset sock=0 skb=1 UNDEF 2 127.0.0.1:${port} > 127.0.0.1:${cport}\n${cport} > ${port} fin 0 syn 1 rst 0 psh 0 ack 0 urg 0\n`);
  assert.equal(r.rc, 0);
});

// The workload's client and server sockets (1 and 2), as tcp.state_change sees them become
// established: the key of the tcpmib.* counters, by a script's own tcpmib_filter_key.
const OURS = `${ROLE}
global ours
function tcpmib_filter_key:long (sk:long, op:long) { return sk in ours ? ours[sk] : 0 }
probe tcp.state_change {
  if (new_state == 1 && role(sport, dport) == "client") ours[sock] = 1
  if (new_state == 1 && role(sport, dport) == "server") ours[sock] = 2
}
probe tcp.destroy_sock { delete ours[sock] }
`;

test('tcp.send_reset, tcpmib.OutRsts: close() with unread data aborts the connection with a reset', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`tcp-abort ${port} ${cport}`), script(`${OURS}
probe tcp.send_reset {
  if (sock in ours) printf("%s %d sock=%d skb=%d %s %d %s:%d > %s:%d\\n", name, ours[sock], sock != 0, skb, state_str, family, saddr, sport, daddr, dport)
}
probe tcpmib.OutRsts {}
probe end { printf("OutRsts client %d server %d\\n", OutRsts[1], OutRsts[2]) }
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  // The server's reset is sent once close() has moved it to TCP_CLOSE (no segment answered:
  // skb 0); the kernel has released its port by then, sport (inet_sport) still shows it.
  assert.equal(r.stdout, `tcp.send_reset 2 sock=1 skb=0 TCP_CLOSE 2 127.0.0.1:${port} > 127.0.0.1:${cport}\nOutRsts client 0 server 1\n`);
  assert.equal(r.rc, 0);
});

test('tcp.receive_reset, tcpmib.EstabResets/CurrEstab with a script\'s tcpmib_filter_key: the aborted connection', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`tcp-abort ${port} ${cport}`), script(`${OURS}
global seq
probe tcp.state_change {
  r = role(sport, dport)
  if (r != "") seq[r] .= sprintf(" %s>%s", old_state_str, new_state_str)
}
probe tcp.receive_reset {
  r = role(sport, dport)
  if (r != "") seq[r] .= sprintf(" reset:%s", state_str)
}
probe tcpmib.EstabResets, tcpmib.CurrEstab {}
probe end {
  foreach (r in seq) printf("%s:%s\\n", r, seq[r])
  printf("EstabResets client %d server %d\\n", EstabResets[1], EstabResets[2])
  printf("CurrEstab client %d server %d\\n", CurrEstab[1], CurrEstab[2])
}
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  // Both sockets go from TCP_ESTABLISHED to TCP_CLOSE (an "established reset" each): the
  // server on close(), the client on receiving the reset.
  assert.equal(r.stdout, [
    'listener: TCP_CLOSE>TCP_LISTEN TCP_LISTEN>TCP_CLOSE',
    'client: TCP_CLOSE>TCP_SYN_SENT TCP_SYN_SENT>TCP_ESTABLISHED reset:TCP_ESTABLISHED TCP_ESTABLISHED>TCP_CLOSE',
    'server: TCP_LISTEN>TCP_SYN_RECV TCP_SYN_RECV>TCP_ESTABLISHED TCP_ESTABLISHED>TCP_CLOSE',
    'EstabResets client 1 server 1',
    'CurrEstab client 0 server 0',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});

test('tcp.retransmit, tcpmib.RetransSegs: a SYN dropped by a full accept queue is sent again after a second', async () => {
  const [port, cport1, cport2] = await freePorts(3);
  const r = await runTstap(['-c', netWorkload(`tcp-retrans ${port} ${cport1} ${cport2}`), script(`
global ours
function tcpmib_filter_key:long (sk:long, op:long) { return sk in ours }
probe tcp.retransmit {
  if (sport == $3 && dport == $1) {
    ours[sock] = 1
    printf("%s %s err=%d %s:%d > %s:%d\\n", name, state_str, err, saddr, sport, daddr, dport)
  } else if (sport == $2 || dport == $2)
    printf("unexpected: %s:%d > %s:%d\\n", saddr, sport, daddr, dport)
}
probe tcpmib.RetransSegs {}
probe end { printf("RetransSegs %d\\n", RetransSegs[1]) }
`), String(port), String(cport1), String(cport2)]);
  assert.equal(r.stderr, '');
  // The first retransmission of a SYN comes after the initial RTO (1 s), the next after 3 s.
  // tcp.retransmit runs before tcpmib.RetransSegs (declared later), so that one counts it too.
  assert.equal(r.stdout, `tcp.retransmit TCP_SYN_SENT err=0 127.0.0.1:${cport2} > 127.0.0.1:${port}\nRetransSegs 1\n`);
  assert.equal(r.rc, 0);
});

test('udp.sendmsg.return, udp.recvmsg.return, udp.receive_drop: datagrams to a full receive buffer', async () => {
  const [port, cport] = await freePorts(2);
  const r = await runTstap(['-c', netWorkload(`udp-drop ${port} ${cport} 20 1000`), script(`
global ev
probe udp.sendmsg.return {
  if (sport == $2) ev[name, size, family, saddr, sport, daddr, dport]++
}
probe udp.recvmsg.return {
  if (sport == $1) ev[name, size, family, saddr, sport, daddr, dport]++
}
probe udp.receive_drop {
  if (dport == $1) ev[name, err, family, saddr, sport, daddr, dport]++
}
probe end {
  foreach ([n, s, f, sa, sp, da, dp] in ev) printf("%s %d %d %s:%d > %s:%d: %d\\n", n, s, f, sa, sp, da, dp, ev[n, s, f, sa, sp, da, dp])
}
`), String(port), String(cport)]);
  assert.equal(r.stderr, '');
  // Every datagram sent is either received (1000 bytes) or dropped (-ENOMEM: the buffer is
  // full); the receiver's last read finds nothing (-EAGAIN). An unconnected receiver's remote
  // address is 0.0.0.0:0; a drop shows the datagram's own addresses.
  const lines = r.stdout.split('\n');
  const recv = lines.find((l) => l.startsWith('udp.recvmsg 1000 '));
  const drop = lines.find((l) => l.startsWith('udp.receive_drop '));
  const received = Number(recv?.split(': ')[1]);
  const dropped = Number(drop?.split(': ')[1]);
  assert.ok(received >= 1 && dropped >= 1 && received + dropped === 20, r.stdout);
  assert.equal(r.stdout, [
    `udp.sendmsg 1000 2 127.0.0.1:${cport} > 127.0.0.1:${port}: 20`,
    `udp.receive_drop -12 2 127.0.0.1:${cport} > 127.0.0.1:${port}: ${dropped}`,
    `udp.recvmsg 1000 2 127.0.0.1:${port} > 0.0.0.0:0: ${received}`,
    `udp.recvmsg -11 2 127.0.0.1:${port} > 0.0.0.0:0: 1`,
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});

test('probes without tracepoint name the kernel function they need (fentry/kprobes)', async () => {
  const needs: [string, string][] = [
    ['tcp.sendmsg', 'tcp_sendmsg'], ['tcp.recvmsg', 'tcp_recvmsg'], ['tcp.disconnect', 'tcp_disconnect'],
    ['tcp.ipv4.setsockopt', 'tcp_setsockopt'], ['tcp.ipv6.receive', 'tcp_v6_rcv'], ['udp.sendmsg', 'udp_sendmsg'],
    ['udp.recvmsg', 'udp_recvmsg'], ['udp.disconnect.return', 'udp_disconnect'], ['tcpmib.ActiveOpens', 'tcp_connect'],
  ];
  for (const [probe, func] of needs) {
    const r = await runTstap(['-T', '1', '-e', `probe ${probe} { exit() }`]);
    // Where the kernel allows fentry (or kprobes), the probe simply runs.
    if (r.rc !== 0) assert.match(r.stderr, new RegExp(`^ERROR: cannot probe kernel\\.function\\("${func}"\\)`), probe);
  }
});

test('probes without tracepoint compile with all their variables (-p3)', async () => {
  // Their handlers cannot be loaded here, but the code for them is generated: every variable
  // resolves against the function's BTF parameters.
  const r = await runTstap(['-p3', '-e', `
probe tcp.sendmsg { printf("%s %d %d %d\\n", name, sock, family, size) }
probe tcp.recvmsg, tcp.disconnect { printf("%s %d %d %s %s %d %d\\n", name, sock, family, saddr, daddr, sport, dport) }
probe tcp.disconnect.return, tcp.setsockopt.return, udp.disconnect.return { printf("%s %d\\n", name, ret) }
probe tcp.setsockopt { printf("%s %d %d %d %d %s %d\\n", name, sock, family, level, optname, optstr, optlen) }
probe tcp.receive { printf("%s %d %d %s %s %d %d %d %d %d %d %d %d %d\\n", name, family, protocol, saddr, daddr, sport, dport, urg, ack, psh, rst, syn, fin, iphdr) }
probe udp.sendmsg, udp.recvmsg { printf("%s %d %d %d %s %s %d %d\\n", name, sock, size, family, saddr, daddr, sport, dport) }
probe udp.disconnect { printf("%s %d %d\\n", name, sock, flags) }
probe tcpmib.* {}
`]);
  assert.equal(r.stderr, '');
  assert.equal(r.rc, 0);
  const programs = r.stdout.split('\n').filter((l) => l.startsWith('# tstap')).map((l) => l.replace(/^# tstap\d+_\d+: /, ''));
  assert.deepEqual(programs, [
    'function tcp_sendmsg', 'function tcp_recvmsg', 'function tcp_disconnect',
    'function tcp_disconnect (return)', 'function tcp_setsockopt (return)', 'function ipv6_setsockopt (return)', 'function udp_disconnect (return)',
    'function tcp_setsockopt', 'function ipv6_setsockopt', 'function tcp_v4_rcv', 'function tcp_v6_rcv',
    'function udp_sendmsg', 'function udp_recvmsg', 'function udp_disconnect',
    // tcpmib.*: ActiveOpens, AttemptFails, CurrEstab, EstabResets, InSegs, OutRsts, OutSegs, PassiveOpens, RetransSegs
    'function tcp_connect (return)', 'function tcp_done', 'tp_btf inet_sock_set_state', 'tp_btf inet_sock_set_state',
    'function __inet_lookup_established (return)', 'tp_btf tcp_send_reset', 'function ip_queue_xmit (return)',
    'function tcp_v4_syn_recv_sock (return)', 'tp_btf tcp_retransmit_skb',
  ]);
});
