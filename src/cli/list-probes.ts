// -l / -L: the probe points a pattern matches, as stap lists them (one per line, sorted,
// aliases by their own names), and with -L each one's variables: the alias's locals
// (`name:string`) and the target variables of the point underneath (`$prev:struct task_struct*`).

import type { Program, DerivedProbe } from '../elaborate/model.js';
import { resolveTarget } from '../bpf/codegen/targets.js';
import { describe } from '../runtime/meta/btf-describe.js';
import { vmlinuxBtfOrNull, type Btf } from '../runtime/meta/btf.js';

export function listProbePoints(program: Program, withVars: boolean): string[] {
  const getBtf = vmlinuxBtfOrNull;
  const lines = new Set<string>();
  for (const p of program.probes) {
    const name = p.listedAs ?? p.site.point;
    lines.add(withVars ? [name, ...p.locals.map((v) => `${v.name}:${v.type}`), ...targetVars(p, getBtf)].join(' ') : name);
  }
  return [...lines].sort();
}

/** `$name:type` of every target variable the probe's point offers (none for begin, timers...). */
function targetVars(p: DerivedProbe, getBtf: () => Btf | null): string[] {
  let target;
  try {
    target = resolveTarget(p, getBtf);
  } catch {
    return []; // not a kernel point, or not on this kernel
  }
  const tidy = (t: string) => t.replace(/ \*/g, '*').trim();
  const vars = target.vars;
  if (vars.kind === 'btf_args') return vars.params.map((x) => `$${x.name}:${tidy(describe(vars.btf, x.type))}`);
  if (vars.kind === 'tracefs') return vars.format.fields.filter((f) => !f.common && f.name !== '__syscall_nr').map((f) => `$${f.name}:${tidy(f.type)}`);
  return [];
}
