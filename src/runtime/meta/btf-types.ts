// The BTF type model: kind numbers from include/uapi/linux/btf.h and the decoded type records.

/** BTF_KIND_* values as stored in bits 24-28 of a type's info word. */
export const BtfKind = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export type BtfKindName =
  | 'void' | 'int' | 'ptr' | 'array' | 'struct' | 'union' | 'enum' | 'fwd' | 'typedef'
  | 'volatile' | 'const' | 'restrict' | 'func' | 'func_proto' | 'var' | 'datasec'
  | 'float' | 'decl_tag' | 'type_tag' | 'enum64';

/** Kind number → name; index 0 is type id 0 ("void"), which has no record. */
export const KIND_NAMES: readonly BtfKindName[] = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile',
  'const', 'restrict', 'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag',
  'type_tag', 'enum64',
];

export type Linkage = 'static' | 'global' | 'extern';
export const LINKAGES: readonly Linkage[] = ['static', 'global', 'extern'];

interface Base {
  /** Type id: 0 is void; ids of split (module) BTF continue after the base's. */
  readonly id: number;
  /** '' for anonymous types. */
  readonly name: string;
}

export interface BtfVoid extends Base { readonly kind: 'void' }
export interface BtfInt extends Base {
  readonly kind: 'int';
  readonly size: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
  /** Legacy bitfield encoding: bit offset and width inside the storage unit. */
  readonly bitOffset: number;
  readonly bits: number;
}
/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name (typedef, tag) and a target. */
export interface BtfRef extends Base {
  readonly kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  readonly type: number;
}
export interface BtfArray extends Base {
  readonly kind: 'array';
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}
export interface BtfMember {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  /** 0 when the member is not a bitfield. */
  readonly bitSize: number;
}
export interface BtfComposite extends Base {
  readonly kind: 'struct' | 'union';
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export interface BtfEnumValue { readonly name: string; readonly value: bigint }
export interface BtfEnum extends Base {
  readonly kind: 'enum' | 'enum64';
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}
export interface BtfFwd extends Base { readonly kind: 'fwd'; readonly union: boolean }
export interface BtfFunc extends Base {
  readonly kind: 'func';
  /** The FUNC_PROTO id. */
  readonly type: number;
  readonly linkage: Linkage;
}
export interface BtfParam { readonly name: string; readonly type: number }
export interface BtfFuncProto extends Base {
  readonly kind: 'func_proto';
  readonly returnType: number;
  readonly params: readonly BtfParam[];
  /** The C `...`: BTF encodes it as a final parameter with no name and type 0. */
  readonly variadic: boolean;
}
export interface BtfVar extends Base { readonly kind: 'var'; readonly type: number; readonly linkage: Linkage }
export interface BtfVarSecinfo { readonly type: number; readonly offset: number; readonly size: number }
export interface BtfDatasec extends Base {
  readonly kind: 'datasec';
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}
export interface BtfFloat extends Base { readonly kind: 'float'; readonly size: number }
export interface BtfDeclTag extends Base {
  readonly kind: 'decl_tag';
  readonly type: number;
  /** -1: the tag is on the type/func/var itself; otherwise a member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfRef | BtfArray | BtfComposite | BtfEnum | BtfFwd | BtfFunc
  | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;

export class BtfError extends Error {
  override name = 'BtfError';
}
