// The abstract syntax tree of a SystemTap file, as the parser builds it (pass 1).
// Every node carries the token it came from, so later passes can point at the source.

import type { Token } from './token.js';

export type ExpType = 'unknown' | 'long' | 'string' | 'stats';

// ---- expressions -----------------------------------------------------------

export interface LiteralNumber { kind: 'literal_number'; tok: Token; value: bigint }
export interface LiteralString { kind: 'literal_string'; tok: Token; value: string }
export type Literal = LiteralNumber | LiteralString;

/** Arithmetic, bitwise and shift operators. */
export interface BinaryExpr { kind: 'binary'; tok: Token; op: string; left: Expr; right: Expr }
export interface LogicalExpr { kind: 'logical'; tok: Token; op: '&&' | '||'; left: Expr; right: Expr }
export interface ComparisonExpr { kind: 'comparison'; tok: Token; op: string; left: Expr; right: Expr }
export interface ConcatExpr { kind: 'concat'; tok: Token; op: '.'; left: Expr; right: Expr }
export interface AssignmentExpr { kind: 'assignment'; tok: Token; op: string; left: Expr; right: Expr }
export interface RegexQuery { kind: 'regex_query'; tok: Token; op: '=~' | '!~'; left: Expr; right: LiteralString }
export interface UnaryExpr { kind: 'unary'; tok: Token; op: string; operand: Expr }
export interface PreCrement { kind: 'pre_crement'; tok: Token; op: '++' | '--'; operand: Expr }
export interface PostCrement { kind: 'post_crement'; tok: Token; op: '++' | '--'; operand: Expr }
export interface TernaryExpr { kind: 'ternary'; tok: Token; cond: Expr; truevalue: Expr; falsevalue: Expr }
export interface EmbeddedExpr { kind: 'embedded_expr'; tok: Token; code: string }

export interface SymbolExpr { kind: 'symbol'; tok: Token; name: string }
export type StatKind = 'avg' | 'count' | 'sum' | 'min' | 'max' | 'variance';
export interface StatOp { kind: 'stat_op'; tok: Token; ctype: StatKind; stat: Expr; params: bigint[] }
export interface HistOp { kind: 'hist_op'; tok: Token; htype: 'linear' | 'log'; stat: Expr; params: bigint[] }
export type Indexable = SymbolExpr | HistOp;
/** `base[i, j]`; a null index is the `*` wildcard of array slices. */
export interface ArrayIndex { kind: 'arrayindex'; tok: Token; base: Indexable; indexes: (Expr | null)[] }
export interface ArrayIn { kind: 'array_in'; tok: Token; operand: ArrayIndex }
export interface FunctionCall { kind: 'functioncall'; tok: Token; name: string; args: Expr[] }
export interface PrintFormat {
  kind: 'print_format';
  tok: Token;
  /** print, printf, printd, println, printdln, sprint..., print_char */
  name: string;
  stream: boolean;
  withFormat: boolean;
  withDelim: boolean;
  withNewline: boolean;
  isChar: boolean;
  /** The format string (escapes still raw, as stap keeps them). */
  format: string | null;
  delimiter: string | null;
  hist: HistOp | null;
  args: Expr[];
}

export type TargetComponent =
  | { type: 'member'; tok: Token; member: string }
  | { type: 'pretty'; tok: Token; member: string }
  | { type: 'literal_index'; tok: Token; index: bigint }
  | { type: 'expr_index'; tok: Token; index: Expr };

interface TargetBase { tok: Token; addressof: boolean; components: TargetComponent[] }
/** `$var` with any `->field`, `[i]`, `$`/`$$` suffixes. */
export interface TargetSymbol extends TargetBase { kind: 'target_symbol'; name: string }
export interface CastOp extends TargetBase { kind: 'cast_op'; operand: Expr; typeName: string; module: string }
export interface AtVarOp extends TargetBase { kind: 'atvar_op'; targetName: string; cuName: string; module: string }
/** `expr->field`: a typed pointer expression dereferenced without @cast. */
export interface AutocastOp extends TargetBase { kind: 'autocast_op'; operand: Expr }
export type TargetExpr = TargetSymbol | CastOp | AtVarOp | AutocastOp;

export interface DefinedOp { kind: 'defined_op'; tok: Token; operand: Expr }
export interface EntryOp { kind: 'entry_op'; tok: Token; operand: Expr }
export interface PerfOp { kind: 'perf_op'; tok: Token; operand: LiteralString }
export interface ProbewriteOp { kind: 'probewrite_op'; tok: Token; name: string }
export interface TargetRegister { kind: 'target_register'; tok: Token; userspace: boolean; regno: bigint }
export interface TargetDeref { kind: 'target_deref'; tok: Token; userspace: boolean; size: bigint; addr: Expr }

export type Expr =
  | LiteralNumber | LiteralString | BinaryExpr | LogicalExpr | ComparisonExpr | ConcatExpr
  | AssignmentExpr | RegexQuery | UnaryExpr | PreCrement | PostCrement | TernaryExpr | EmbeddedExpr
  | SymbolExpr | StatOp | HistOp | ArrayIndex | ArrayIn | FunctionCall | PrintFormat
  | TargetSymbol | CastOp | AtVarOp | AutocastOp | DefinedOp | EntryOp | PerfOp | ProbewriteOp
  | TargetRegister | TargetDeref;

// ---- statements ------------------------------------------------------------

export interface Block { kind: 'block'; tok: Token; statements: Stmt[] }
export interface EmbeddedCode { kind: 'embeddedcode'; tok: Token; code: string }
export interface TryBlock { kind: 'try_block'; tok: Token; tryBlock: Block; catchVar: SymbolExpr | null; catchBlock: Block }
/** `for` and `while` (which has no init and incr). */
export interface ForLoop { kind: 'for_loop'; tok: Token; init: ExprStatement | null; cond: Expr; incr: ExprStatement | null; body: Stmt }
export interface ForeachLoop {
  kind: 'foreach_loop';
  tok: Token;
  value: SymbolExpr | null;
  indexes: SymbolExpr[];
  base: Indexable;
  /** `arr[k, *]` restricts the iteration; null entries are wildcards. */
  arraySlice: (Expr | null)[];
  /** 0 none, 1 ascending, -1 descending. */
  sortDirection: 0 | 1 | -1;
  /** 0 sorts by value, N by the N-th index. */
  sortColumn: number;
  sortAggr: StatKind | null;
  limit: Expr | null;
  body: Stmt;
}
export interface NullStatement { kind: 'null_statement'; tok: Token }
export interface ExprStatement { kind: 'expr_statement'; tok: Token; value: Expr }
export interface ReturnStatement { kind: 'return_statement'; tok: Token; value: Expr | null }
export interface DeleteStatement { kind: 'delete_statement'; tok: Token; value: Expr }
export interface NextStatement { kind: 'next_statement'; tok: Token }
export interface BreakStatement { kind: 'break_statement'; tok: Token }
export interface ContinueStatement { kind: 'continue_statement'; tok: Token }
export interface IfStatement { kind: 'if_statement'; tok: Token; cond: Expr; thenStmt: Stmt; elseStmt: Stmt | null }

export type Stmt =
  | Block | EmbeddedCode | TryBlock | ForLoop | ForeachLoop | NullStatement | ExprStatement
  | ReturnStatement | DeleteStatement | NextStatement | BreakStatement | ContinueStatement | IfStatement;

// ---- declarations ----------------------------------------------------------

export interface VarDecl {
  tok: Token;
  name: string;
  type: ExpType;
  private: boolean;
  wrap: boolean;
  /** Declared array size; 0 when none. */
  maxSize: number;
  init: Literal | null;
  /** The `systemtap_v` test this declaration was conditional on, if any. */
  systemtapV: Token | null;
}

export interface ProbePointComponent { tok: Token; functor: string; arg: Literal | null }
export interface ProbePoint {
  components: ProbePointComponent[];
  optional: boolean;
  sufficient: boolean;
  condition: Expr | null;
  /** For tapsets under a PATH directory: the file that defined this point. */
  autoPath: string | null;
}

export interface Probe {
  tok: Token;
  locations: ProbePoint[];
  body: Block;
  privileged: boolean;
  systemtapV: Token | null;
}

export interface ProbeAlias extends Probe {
  aliasNames: ProbePoint[];
  /** `+=`: the alias body runs after the user's probe body. */
  epilogue: boolean;
  /** A second body for the combined prologue/epilogue form `= p { pro }, { epi }`. */
  body2: Block | null;
}

export interface FunctionDecl {
  tok: Token;
  name: string;
  type: ExpType;
  private: boolean;
  params: VarDecl[];
  body: Block | EmbeddedCode;
  /** Priority for overloads of library functions; 0 for user-script functions. */
  priority: number;
  systemtapV: Token | null;
}

export interface StapFile {
  name: string;
  privileged: boolean;
  synthetic: boolean;
  embeds: EmbeddedCode[];
  globals: VarDecl[];
  aliases: ProbeAlias[];
  probes: Probe[];
  functions: FunctionDecl[];
}

export function assertNever(x: never): never {
  throw new Error(`unhandled node kind: ${JSON.stringify((x as { kind?: string }).kind)}`);
}
