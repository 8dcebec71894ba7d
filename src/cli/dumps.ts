// --dump-probe-types, --dump-probe-aliases and --dump-functions: what this tstap offers, one
// line each, sorted, as stap lists its own (probe types with their parameter kinds; aliases by
// name; functions with their declared signatures).

import type { Library } from '../elaborate/library.js';
import { PROBE_FAMILIES, type ComponentPattern } from '../elaborate/probe-families.js';
import { INTRINSICS, intrinsicSignature } from '../intrinsics/index.js';
import { CONTROL_FUNCTIONS } from '../interp/natives.js';

export function probeTypes(): string[] {
  const arg = (c: ComponentPattern) => (c.arg === 'number' ? '(number)' : c.arg === 'string' ? '(string)' : '');
  const lines = new Set<string>();
  for (const f of PROBE_FAMILIES) {
    if (f.unsupported) continue;
    const required = f.components.filter((c) => !c.optional);
    const show = (cs: ComponentPattern[]) => cs.map((c) => c.name + arg(c)).join('.');
    lines.add(show(required));
    if (f.components.some((c) => c.optional || c.arg === 'optional-number')) {
      lines.add(show(f.components.map((c) => (c.arg === 'optional-number' ? { ...c, arg: 'number' } : c))));
    }
  }
  return [...lines].sort();
}

export function probeAliases(library: Library): string[] {
  return [...new Set(library.aliasNames().map((n) => n.join('.')))].sort();
}

export function functionSignatures(library: Library): string[] {
  const lines = new Set<string>();
  for (const [name, overloads] of INTRINSICS) {
    for (const o of overloads) {
      const sig = intrinsicSignature(name, o.params.length);
      if (sig) lines.add(`${name}:${sig.ret} (${sig.params.map((p) => `${p.name}:${p.type}`).join(', ')})`);
    }
  }
  for (const [name, sigs] of Object.entries(CONTROL_FUNCTIONS)) {
    for (const s of sigs) lines.add(`${name}:${s.ret} (${s.params.map((t, i) => `arg${i + 1}:${t}`).join(', ')})`);
  }
  for (const { decl } of library.allFunctions()) {
    lines.add(`${decl.name}:${decl.type} (${decl.params.map((p) => `${p.name}:${p.type}`).join(', ')})`);
  }
  return [...lines].sort();
}
