// `$var$` and `$var$$` (also after `->` chains and on `@cast`): stap's pretty printing of a
// value by its type, as one sprintf over the members' values (tapsets.cxx dwarf_pretty_print,
// here from BTF): `{.a=%i, .b=%u, .c={...}, .d=[...]}`. Integers `%i`/`%u`, chars `'%#c'`,
// pointers `%p` (chased at the top; a char pointer or array as a `"%s"` string), nested
// structs and arrays `{...}`/`[...]` unless `$$` (then their members, an array's first element
// and `, ...`), at most 32 values, then `...`. Memory is the kernel's, or user memory for values
// reached through a user pointer (a syscall tracepoint's pointer fields): strings then come from
// user_string2, where stap's kernel_string2 could only give "<unknown>".

import type * as A from '../../parse/ast.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { resolved } from '../../runtime/meta/btf-layout.js';

/** stap's limit on a pretty-printed value's arguments (PR10750). */
const MAX_ARGS = 32;

/** Where the printed value lives: `user`, a process's memory (read with user_string2). */
export interface PrettyOptions {
  readonly user?: boolean;
}

/**
 * The sprintf call printing `head` (a target symbol or @cast whose last component is the
 * pretty-print one) of BTF type `type` (the type at the end of its other components).
 */
export function prettyPrintCall(btf: Btf, head: A.TargetSymbol | A.CastOp, type: number, opts: PrettyOptions = {}): A.PrintFormat {
  const last = head.components[head.components.length - 1]!;
  const full = last.type === 'pretty' && last.member.length > 1;
  const base = head.components.slice(0, -1);
  const tok = head.tok;
  let format = '';
  const args: A.Expr[] = [];
  const at = (extra: A.TargetComponent[]): A.Expr => ({ ...head, components: [...base, ...extra] }) as A.Expr;
  const push = (fmt: string, e: A.Expr) => {
    format += fmt;
    args.push(e);
  };
  const str = (addr: A.Expr): A.Expr => ({
    kind: 'functioncall', tok, name: opts.user ? 'user_string2' : 'kernel_string2', args: [addr, { kind: 'literal_string', tok, value: '<unknown>' }],
  });
  const isChar = (id: number) => {
    const t = resolved(btf, id);
    return t.kind === 'int' && t.size === 1 && (t.name === 'char' || t.name === 'unsigned char');
  };

  const recurse = (id: number, path: A.TargetComponent[], top: boolean): void => {
    const t = resolved(btf, id);
    switch (t.kind) {
      case 'int':
        if (t.char || (t.size === 1 && /char/.test(t.name))) push("'%#c'", at(path));
        else push(t.signed || t.bool ? '%i' : '%u', at(path));
        return;
      case 'enum': case 'enum64':
        push('%i', at(path));
        return;
      case 'ptr': {
        const pointee = t.type;
        if (pointee !== 0 && resolved(btf, pointee).kind !== 'void') {
          if (isChar(pointee)) return push('"%s"', str(at(path)));
          if (top) return recurse(pointee, path, top);
        }
        return push('%p', at(path));
      }
      case 'func_proto':
        return push('<function>:%p', at(path));
      case 'array': {
        if (!top && !full) {
          format += '[...]';
          return;
        }
        if (isChar(t.type)) return push('"%s"', str(at(path)));
        format += '[';
        recurse(t.type, [...path, { type: 'literal_index', tok, index: 0n }], false);
        format += ', ...]';
        return;
      }
      case 'struct': case 'union': {
        format += '{';
        if (top || full) members(id, path);
        else format += '...';
        format += '}';
        return;
      }
      default:
        format += '?';
    }
  };

  const members = (id: number, path: A.TargetComponent[]): void => {
    const t = resolved(btf, id);
    if (t.kind !== 'struct' && t.kind !== 'union') return;
    let count = 0;
    for (const m of t.members) {
      if (++count > 1) format += ', ';
      if (args.length >= MAX_ARGS) {
        format += '...';
        break;
      }
      const mt = resolved(btf, m.type);
      if (m.name === '') {
        // An anonymous struct or union: its members are reached by name from here, as in C.
        // (stap labels an anonymous union `<union>`, a struct `<class>`.)
        format += mt.kind === 'union' ? '<union>=' : '<class>=';
        recurse(m.type, path, false);
        continue;
      }
      format += `.${m.name}=`;
      const member: A.TargetComponent[] = [...path, { type: 'member', tok, member: m.name }];
      const bitfield = m.bitSize > 0 || (mt.kind === 'int' && mt.bits !== mt.size * 8);
      if (bitfield) push(mt.kind === 'int' && !mt.signed ? '%u' : '%i', at(member));
      else recurse(m.type, member, false);
    }
  };

  recurse(type, [], true);
  return {
    kind: 'print_format', tok, name: 'sprintf', stream: false, withFormat: true, withDelim: false, withNewline: false,
    isChar: false, delimiter: null, hist: null, format, args,
  };
}
