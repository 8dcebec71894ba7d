// The kernel layer's public surface: everything above sys/ imports from here.

export * from './syscall.js';
export { koffiSys } from './koffi-sys.js';
export { FakeSys, writeEpollEvent, type FakeCall, type FakeOp, type FakeReply } from './fake-sys.js';
export * from './bpf-const.js';
export { Attr, cString, cStringAt, sanitizeObjName } from './attr.js';
export * from './bpf.js';
export * from './prog.js';
export * from './link.js';
export * from './perf.js';
export * from './cpus.js';
export * from './fd.js';
export * from './ringbuf.js';
export * from './ringbuf-poller.js';
export * from './features.js';
export * from './tracefs-mount.js';
