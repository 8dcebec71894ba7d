// The error the assembler and linker throw: a message located at an instruction and its source span.

export class AsmError extends Error {
  /** `insn` is the slot the error is about (for assembly-time errors, the slot about to be emitted). */
  constructor(message: string, readonly insn: number | null, readonly span: unknown) {
    super(message);
    this.name = 'AsmError';
  }
}
