// Pass 2: from parsed files to the elaborated program, in stap's order: derive probes (aliases,
// families) and resolve symbols (pulling in tapsets), optimize (with stap's warnings, unless
// -u), infer types, add the end-of-run display of unread globals.

import { SemanticError } from '../diag/errors.js';
import type { Reporter } from '../diag/reporter.js';
import type * as A from '../parse/ast.js';
import type { Token } from '../parse/token.js';
import { expandTracepoints } from './tracepoint-wildcards.js';
import { EntryValues } from './entry-values.js';
import { forEachChild, type Node } from '../parse/walk.js';
import { ProbeDeriver } from './derive.js';
import { checkForeachMutation } from './foreach-mutation.js';
import { globalDisplaySource } from './global-display.js';
import type { Library } from './library.js';
import type { Bindings, DerivedProbe, Func, Program, Var } from './model.js';
import { optimize } from './optimize.js';
import { Resolver, type IntrinsicLookup } from './resolve.js';
import { TypeChecker } from './typecheck.js';

export interface ElaborateOptions {
  reporter: Reporter;
  library: Library;
  intrinsics: IntrinsicLookup;
  /** -u: keep everything (no elision). */
  unoptimized: boolean;
  /** Parses synthesized source (stap's parse_synthetic_probe); `tok` null: no source location. */
  synthesize: (code: string, tok: Token | null) => A.Probe | null;
  /** -T: milliseconds after which a synthesized timer probe calls exit(). */
  timeoutMs: number | null;
}

/** Elaborates; returns null (diagnostics printed) if there were semantic errors. */
export function elaborate(userFiles: A.StapFile[], opts: ElaborateOptions): Program | null {
  const { reporter, library } = opts;
  const before = reporter.errorCount;
  const report = (e: SemanticError) => reporter.semanticError(e);
  const failed = () => reporter.errorCount > before;
  const bindings: Bindings = { vars: new Map(), calls: new Map(), types: new Map() };
  const resolver = new Resolver(userFiles, library, opts.intrinsics, bindings);
  const userAliases = userFiles.flatMap((f) => f.aliases);
  const deriver = new ProbeDeriver((pp) => [...userAliases, ...library.aliasesFor(pp)], () => [
    ...userAliases.flatMap((a) => a.aliasNames.map((n) => n.components.map((c) => c.functor))),
    ...library.aliasNames(),
  ]);
  let probes: DerivedProbe[] = [];
  const queue: A.Probe[] = userFiles.flatMap((f) => f.probes);
  resolver.onChoose = (f) => queue.push(...f.probes);
  const userFileNames = new Set(userFiles.map((f) => f.name));
  if (opts.timeoutMs !== null) {
    // stap's setup_timeout: the -T probe is derived before the script's own.
    const p = opts.synthesize(`probe timer.ms(${opts.timeoutMs}) {exit()}`, null);
    if (p) queue.unshift(p);
  }

  const entries = new EntryValues(opts.synthesize);
  resolver.visibleFiles.push(entries.file);
  const deriveAndResolve = (probe: A.Probe): void => {
    try {
      for (const d of expandTracepoints(deriver.derive(probe), probe.locations.every((l) => l.optional))) {
        if (d.family.unsupported) {
          throw new SemanticError('probe:unsupported', `probe point not supported yet: ${d.site.point}: ${d.family.unsupported}`, d.tok);
        }
        const dp: DerivedProbe = {
          index: probes.length, site: d.site, userPoint: d.userPoint, listedAs: d.aliasPoint ?? d.site.point, tok: probe.tok, body: d.body, locals: [],
          condition: d.condition,
        };
        // @entry(...) values are saved by synthesized entry probes (derived after this one).
        queue.push(...entries.rewrite(dp.body, dp.site, probe.tok));
        resolver.resolveProbe(dp.body, dp.locals, dp.condition);
        probes.push(dp);
      }
    } catch (e) {
      if (!(e instanceof SemanticError)) throw e;
      report(e);
    }
  };
  while (queue.length) deriveAndResolve(queue.shift()!);

  let globals = resolver.globals;
  if (!failed() && !opts.unoptimized) {
    ({ probes, globals } = optimize({
      probes, functions: resolver.functions, globals, bindings, reporter, isUserFile: (n) => userFileNames.has(n),
    }));
  }
  if (!failed()) new TypeChecker(bindings, report).run(probes, resolver.functions);
  if (!failed()) {
    for (const v of unreadGlobals(probes, globals, bindings)) {
      const p = opts.synthesize(globalDisplaySource(v), v.tok);
      if (p) deriveAndResolve(p);
    }
    new TypeChecker(bindings, report).run(probes, resolver.functions);
  }
  if (!failed()) checkForeachMutation(probes, resolver.functions, bindings, report);
  if (!failed() && probes.length === 0) report(new SemanticError('no-probes', 'no probes found'));
  if (failed()) return null;

  // Frame slots: parameters first, then locals.
  const assignSlots = (f: Func) => [...f.params, ...f.locals].forEach((v, i) => (v.slot = i));
  resolver.functions.forEach(assignSlots);
  probes.forEach((p, i) => {
    p.index = i;
    p.locals.forEach((v, j) => (v.slot = j));
  });
  const program: Program = { globals, functions: resolver.functions, probes, bindings, embeds: userFiles.flatMap((f) => f.embeds) };
  program.libraryFunction = (name, arity, tok) => {
    const known = new Set(resolver.functions);
    const knownGlobals = new Set(resolver.globals);
    const f = resolver.resolveLibraryFunction(name, arity, tok);
    if (!f) return null;
    const added = resolver.functions.filter((x) => !known.has(x));
    if (added.length > 0) {
      const errors = reporter.errorCount;
      new TypeChecker(bindings, report).run([], resolver.functions);
      if (reporter.errorCount > errors) throw new Error(`internal error: library function ${name} does not type-check`);
      added.forEach(assignSlots);
      program.globals.push(...resolver.globals.filter((v) => !knownGlobals.has(v) && !program.globals.includes(v)));
    }
    return f;
  };
  return program;
}

/**
 * Globals of the user's script that are written but whose value is never used. As stap's
 * varuse "used" set: `n++` or `n += 2` as a statement writes n without using it.
 */
function unreadGlobals(probes: DerivedProbe[], globals: Var[], b: Bindings): Var[] {
  const read = new Set<Var>();
  const written = new Set<Var>();
  const seen = new Set<unknown>();
  const walk = (n: unknown, writing: boolean): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as Record<string, unknown> & { kind?: string };
    if (node.kind === 'symbol') {
      const v = b.vars.get(n as A.SymbolExpr);
      if (v) (writing ? written : read).add(v);
      return;
    }
    if (node.kind === 'functioncall') {
      const f = b.calls.get(n as A.FunctionCall);
      if (f?.decl && !seen.has(f)) {
        seen.add(f);
        walk(f.decl.body, false);
      }
    }
    if (node.kind === 'expr_statement') {
      // The value of a statement-level update is discarded: that is a write, not a use.
      const v = (n as unknown as A.ExprStatement).value;
      if (v.kind === 'assignment') {
        walkTarget(v.left, false);
        walk(v.right, false);
        return;
      }
      if (v.kind === 'pre_crement' || v.kind === 'post_crement') {
        walkTarget(v.operand, false);
        return;
      }
    }
    if (node.kind === 'assignment') {
      const a = n as unknown as A.AssignmentExpr;
      walkTarget(a.left, a.op !== '=' && a.op !== '<<<');
      walk(a.right, false);
      return;
    }
    if (node.kind === 'pre_crement' || node.kind === 'post_crement') {
      walkTarget((n as unknown as A.PreCrement).operand, true);
      return;
    }
    if (node.kind === 'delete_statement') {
      walkTarget((n as unknown as A.DeleteStatement).value, false);
      return;
    }
    forEachChild(node as unknown as Node, (c) => walk(c, false));
  };
  const walkTarget = (e: A.Expr, alsoRead: boolean): void => {
    const sym = e.kind === 'symbol' ? e : e.kind === 'arrayindex' && e.base.kind === 'symbol' ? e.base : null;
    if (sym) {
      const v = b.vars.get(sym);
      if (v) {
        written.add(v);
        if (alsoRead) read.add(v);
      }
      if (e.kind === 'arrayindex') for (const i of e.indexes) walk(i, false);
    } else {
      walk(e, false);
    }
  };
  for (const p of probes) {
    walk(p.body, false);
    walk(p.condition, false);
  }
  return globals.filter((v) => written.has(v) && !read.has(v) && !v.library);
}
