// C spellings of BTF types (`struct task_struct *`, `char[16]`, `int (*)(void *)`) for messages and $$vars.

import type { Btf } from './btf.js';
import { BtfError, type BtfType } from './btf-types.js';

const MAX_DEPTH = 64;

/** The C type name of `id`, or a C declaration of `declName` when one is given. */
export function describe(btf: Btf, id: number, declName = ''): string {
  return declare(btf, id, declName, 0);
}

// C declarators read inside-out: pointers prefix the inner declarator, arrays and
// parameter lists suffix it, and a pointer to an array or function needs parentheses.
function declare(btf: Btf, id: number, inner: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new BtfError(`BTF type chain at id ${id} is too deep`);
  const t = btf.type(id);
  switch (t.kind) {
    case 'void': case 'int': case 'float': case 'typedef':
      return join(t.name, inner);
    case 'struct': case 'union': case 'enum': case 'enum64': case 'fwd':
      return join(tagName(t), inner);
    case 'ptr':
      return declare(btf, t.type, `*${inner}`, depth + 1);
    case 'const': case 'volatile': case 'restrict': {
      const q = t.kind;
      const target = btf.type(t.type);
      // `const char *` reads better than `char const *`; a qualified pointer must stay `char *const`.
      if (target.kind === 'ptr') return declare(btf, t.type, inner === '' ? q : `${q} ${inner}`, depth + 1);
      if (target.kind === 'array' || target.kind === 'func_proto') return declare(btf, t.type, inner, depth + 1);
      return `${q} ${declare(btf, t.type, inner, depth + 1)}`;
    }
    case 'type_tag': case 'decl_tag':
      return declare(btf, t.type, inner, depth + 1);
    case 'array':
      return declare(btf, t.type, `${paren(inner)}[${t.nelems}]`, depth + 1);
    case 'func_proto': {
      const params = t.params.map((p) => declare(btf, p.type, '', depth + 1));
      if (t.variadic) params.push('...');
      return declare(btf, t.returnType, `${paren(inner)}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
    }
    case 'func':
      return declareFunc(btf, t, inner || t.name, depth);
    case 'var':
      return declare(btf, t.type, inner || t.name, depth + 1);
    case 'datasec':
      return join(`SEC("${t.name}")`, inner);
  }
}

// A FUNC shows its parameter names, as a prototype in a header would.
function declareFunc(btf: Btf, f: BtfType & { kind: 'func' }, name: string, depth: number): string {
  const proto = btf.type(f.type);
  if (proto.kind !== 'func_proto') return join('void', name);
  const params = proto.params.map((p) => declare(btf, p.type, p.name, depth + 1));
  if (proto.variadic) params.push('...');
  return declare(btf, proto.returnType, `${name}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
}

function tagName(t: BtfType & { kind: 'struct' | 'union' | 'enum' | 'enum64' | 'fwd' }): string {
  const tag = t.kind === 'fwd' ? (t.union ? 'union' : 'struct') : t.kind === 'enum64' ? 'enum' : t.kind;
  return t.name === '' ? `${tag} {...}` : `${tag} ${t.name}`;
}

function paren(inner: string): string {
  return inner.startsWith('*') ? `(${inner})` : inner;
}

function join(base: string, inner: string): string {
  if (inner === '') return base;
  return inner.startsWith('[') ? base + inner : `${base} ${inner}`;
}
