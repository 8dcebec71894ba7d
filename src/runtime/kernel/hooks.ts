// The interpreter's view of the kernel half (interp/session.ts KernelHooks), on a KernelSession.

import type { KernelBuild } from '../../bpf/codegen/compile.js';
import type { KernelHooks } from '../../interp/session.js';
import type { SysApi } from '../sys/syscall.js';
import { KernelSession } from './session.js';

/** `onInterpreted`: a begin/end handler the verifier refused, which the interpreter runs instead. */
export function kernelHooks(sys: SysApi, build: KernelBuild, onInterpreted: (probe: number, why: string) => void = () => {}): KernelHooks {
  const session = new KernelSession(sys, build, onInterpreted);
  return {
    prepare: () => session.load(),
    start: async () => session.attach(),
    cell: (v) => session.cell(v),
    poll: (sink) => session.poll({
      printf: sink.printf,
      backtrace: sink.text,
      exit: sink.exit,
      error: (f, values) => {
        if (f.what.kind === 'error') sink.error(f.what.message ?? String(values[0] ?? ''), f.what.tok);
      },
    }),
    stop: async () => {
      session.stopping();
      await session.detach();
    },
    close: () => session.close(),
    dropped: () => session.dropped(),
    printCall: (i) => build.printCalls[i]!,
    setTarget: (pid) => session.setTarget(pid),
    setState: (state) => session.setState(state),
    hasTestRun: (index) => session.hasTestRun(index),
    testRun: (index) => session.testRun(index),
  } satisfies KernelHooks;
}
