// The floor for the counting benchmark: the smallest useful handler (a per-CPU array counter,
// kernel-facts §3) attached the same way tstap attaches syscall tracepoints, around a workload.
//   node dist/bench/kernel/floor.js "WORKLOAD COMMAND"

import { execSync } from 'node:child_process';
import { Assembler } from '../../src/bpf/asm.js';
import { R0, R1, R2, FP } from '../../src/bpf/insn.js';
import { resolveRelocations } from '../../src/bpf/program.js';
import { MapType, ProgType } from '../../src/runtime/sys/bpf-const.js';
import { mapCreate } from '../../src/runtime/sys/bpf.js';
import { progLoad } from '../../src/runtime/sys/prog.js';
import { linkCreatePerfEvent } from '../../src/runtime/sys/link.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { readEventFormat } from '../../src/runtime/meta/tracefs.js';
import { openTracepointEvent } from '../../src/runtime/kernel/tracepoint.js';

const sys = koffiSys();
const map = mapCreate(sys, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'floor' });
const ref = { name: 'floor' };
const a = new Assembler();
a.stW(FP, -4, 0);
a.mov64Reg(R2, FP);
a.alu64Imm('add', R2, -4);
a.ldMapFd(R1, ref);
a.call('map_lookup_elem');
a.jmpImm('jeq', R0, 0, 'out');
a.mov64Imm(R1, 1);
a.atomicAdd64(R0, 0, R1);
a.label('out');
a.mov64Imm(R0, 0);
a.exit();
const insns = resolveRelocations(a.link(), { mapFd: () => map.fd });
const prog = progLoad(sys, { type: ProgType.TRACEPOINT, insns, name: 'floor' });
const perf = openTracepointEvent(sys, readEventFormat('syscalls', 'sys_enter_getppid').id);
const link = linkCreatePerfEvent(sys, prog, perf);
process.stdout.write(execSync(process.argv[2]!, { encoding: 'latin1' }));
for (const fd of [link, perf, prog, map.fd]) sys.close(fd);
