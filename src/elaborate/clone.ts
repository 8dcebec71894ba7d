// Deep copies of AST subtrees. Alias bodies are copied into every probe that uses them, so
// each copy can have its own locals and bindings; tokens are shared (they are immutable).

export function cloneAst<T>(node: T): T {
  return copy(node) as T;
}

function copy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copy);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = k === 'tok' ? x : copy(x);
  }
  return out;
}

/**
 * Turns AST node `n` into `by` in place, so that whatever holds `n` (its parent, a binding
 * table) now holds the replacement: a rewrite without finding the parent.
 */
export function replaceInPlace(n: object, by: object): void {
  const node = n as Record<string, unknown>;
  for (const k of Object.keys(node)) delete node[k];
  Object.assign(node, by);
}
