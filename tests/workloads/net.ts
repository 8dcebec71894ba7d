// Sockets on loopback with known ports, for the tcp/udp tapset tests. Plain blocking libc calls
// (no event loop between them), so each socket's events come in a known order:
//   node dist/tests/workloads/net.js tcp-conn 4|6 PORT CPORT  (a listener on PORT, a client from
//        CPORT connects; the client sends "hello", the server reads it, the client closes, the
//        server reads the end of stream and closes, the listener closes; CPORT 0: the client is
//        not bound, connect() picks its port)
//   node dist/tests/workloads/net.js tcp-refused PORT CPORT   (a client from CPORT connects to PORT,
//        where nothing listens: refused by a reset)
//   node dist/tests/workloads/net.js tcp-abort PORT CPORT     (as tcp-conn up to "hello", then the
//        server closes without reading it: it aborts the connection with a reset)
//   node dist/tests/workloads/net.js tcp-retrans PORT CPORT1 CPORT2  (a listener on PORT with a
//        backlog of 0 that accepts nothing: CPORT1's connection fills it, CPORT2's SYN is dropped
//        and retransmitted after about a second; everything is closed at 1.4 s)
//   node dist/tests/workloads/net.js udp-drop PORT CPORT N SIZE  (a receiver on PORT with the
//        smallest receive buffer; a sender from CPORT, connected to it, sends N datagrams of SIZE
//        bytes; then the receiver reads what was queued)
// Addresses are 127.0.0.1 (or ::1 for tcp-conn 6).

import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const socket = libc.func('int socket(int domain, int type, int protocol)');
const bind = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const listen = libc.func('int listen(int fd, int backlog)');
const connect = libc.func('int connect(int fd, const void *addr, uint32_t len)');
const accept = libc.func('int accept(int fd, void *addr, void *len)');
const send = libc.func('long send(int fd, const void *buf, size_t len, int flags)');
const recv = libc.func('long recv(int fd, void *buf, size_t len, int flags)');
const close = libc.func('int close(int fd)');
const setsockopt = libc.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)');

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const MSG_DONTWAIT = 0x40;

/** The loopback address of `family` with `port`, as a sockaddr. */
function loopback(family: number, port: number): Buffer {
  if (family === AF_INET) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    b.set([127, 0, 0, 1], 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  b[23] = 1; // ::1
  return b;
}

/** A socket bound to loopback:port; fails loudly (a test must not go on with a broken workload). */
function bound(family: number, type: number, port: number): number {
  const fd = socket(family, type, 0) as number;
  const a = loopback(family, port);
  if (fd < 0 || bind(fd, a, a.length) !== 0) throw new Error(`socket/bind ${port}: errno ${koffi.errno()}`);
  return fd;
}

function check(what: string, r: number | bigint, want?: number): void {
  if (Number(r) < 0 || (want !== undefined && Number(r) !== want)) throw new Error(`${what} returned ${r} (errno ${koffi.errno()})`);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A connection from cport to a listener on port; returns [listener, client, server side]. */
function connection(family: number, port: number, cport: number): [number, number, number] {
  const l = bound(family, SOCK_STREAM, port);
  check('listen', listen(l, 8) as number);
  const c = cport === 0 ? socket(family, SOCK_STREAM, 0) as number : bound(family, SOCK_STREAM, cport);
  check('socket', c);
  const to = loopback(family, port);
  check('connect', connect(c, to, to.length) as number);
  const s = accept(l, null, null) as number;
  check('accept', s);
  check('send', send(c, Buffer.from('hello'), 5, 0) as number | bigint, 5);
  return [l, c, s];
}

const [op, ...args] = process.argv.slice(2);
const n = args.map(Number);
const buf = Buffer.alloc(65536);
switch (op) {
  case 'tcp-conn': {
    const family = n[0] === 6 ? AF_INET6 : AF_INET;
    const [l, c, s] = connection(family, n[1]!, n[2]!);
    check('recv', recv(s, buf, 5, 0) as number | bigint, 5);
    close(c);
    check('recv (end of stream)', recv(s, buf, buf.length, 0) as number | bigint, 0);
    close(s);
    close(l);
    break;
  }
  case 'tcp-refused': {
    const c = bound(AF_INET, SOCK_STREAM, n[1]!);
    const to = loopback(AF_INET, n[0]!);
    if (connect(c, to, to.length) === 0) throw new Error('connect to a closed port succeeded');
    close(c);
    break;
  }
  case 'tcp-abort': {
    const [l, c, s] = connection(AF_INET, n[0]!, n[1]!);
    sleepMs(50); // "hello" is queued at the server, unread
    close(s);
    if (Number(recv(c, buf, buf.length, 0)) >= 0) throw new Error('the client saw no reset');
    close(c);
    close(l);
    break;
  }
  case 'tcp-retrans': {
    const l = bound(AF_INET, SOCK_STREAM, n[0]!);
    check('listen', listen(l, 0) as number);
    const to = loopback(AF_INET, n[0]!);
    const c1 = bound(AF_INET, SOCK_STREAM, n[1]!);
    check('connect', connect(c1, to, to.length) as number);
    const c2 = bound(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, n[2]!);
    connect(c2, to, to.length); // EINPROGRESS: its SYN is dropped, the accept queue being full
    sleepMs(1400);
    close(c2);
    close(c1);
    close(l);
    break;
  }
  case 'udp-drop': {
    const [port, cport, count, size] = n as [number, number, number, number];
    const r = bound(AF_INET, SOCK_DGRAM, port);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    check('setsockopt', setsockopt(r, SOL_SOCKET, SO_RCVBUF, one, 4) as number);
    const s = bound(AF_INET, SOCK_DGRAM, cport);
    const to = loopback(AF_INET, port);
    check('connect', connect(s, to, to.length) as number);
    const data = Buffer.alloc(size, 'x');
    for (let i = 0; i < count; i++) check('send', send(s, data, size, 0) as number | bigint, size);
    while (Number(recv(r, buf, buf.length, MSG_DONTWAIT)) === size);
    close(s);
    close(r);
    break;
  }
  default:
    throw new Error(`unknown operation ${op}`);
}
