// Run-time errors raised by the output helpers, carrying stap's exact c->last_error text.

/**
 * An error stap's runtime would report through `c->last_error` (the probe handler stops and
 * stap prints "ERROR: <message> near ..."). `message` is stap's text, verbatim; the caller
 * adds the location.
 */
export class StapRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StapRuntimeError';
  }
}

/** translate.cxx STAP_T_06: a statistic read with no values (count 0, or an absent array entry). */
export const EMPTY_AGGREGATE = 'empty aggregate';

/** translate.cxx STAP_T_07: `@hist_*(s)[i]` outside 0 .. buckets-1. */
export const HIST_INDEX_RANGE = 'histogram index out of range';
