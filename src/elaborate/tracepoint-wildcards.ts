// `kernel.trace("sched:*")` and kin: a tracepoint glob becomes one derived probe per matching
// tracepoint of the running kernel (tracefs' event list), as stap derives one per match.

import { SemanticError } from '../diag/errors.js';
import { cloneAst } from './clone.js';
import type { Derivation } from './derive.js';
import { listEvents } from '../runtime/meta/tracefs.js';

const GLOB = /[*?[]/;

export function expandTracepoints(ds: Derivation[], optional: boolean): Derivation[] {
  const out: Derivation[] = [];
  for (const d of ds) {
    const spec = d.site.family === 'kernel.trace' ? String(d.site.params['trace'] ?? '') : '';
    if (!GLOB.test(spec)) {
      out.push(d);
      continue;
    }
    let events;
    try {
      events = listEvents(spec);
    } catch (e) {
      throw new SemanticError('kernel.trace:list', `cannot list tracepoints for kernel.trace("${spec}"): ${(e as Error).message}`, d.tok);
    }
    if (events.length === 0 && !optional) throw new SemanticError('kernel.trace:nomatch', `no match for probe point kernel.trace("${spec}")`, d.tok);
    for (const ev of events) {
      const trace = `${ev.system}:${ev.name}`;
      const point = `kernel.trace("${trace}")`;
      out.push({
        ...d, body: cloneAst(d.body), condition: d.condition && cloneAst(d.condition),
        site: { ...d.site, point, params: { ...d.site.params, trace } },
        aliasPoint: d.aliasPoint ?? point,
      });
    }
  }
  return out;
}
