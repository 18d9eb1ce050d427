/**
 * A bound on JSON before it is parsed. JSON.parse itself is iterative, but its cost is not
 * linear in the input: an object with millions of keys takes minutes and gigabytes, and a
 * deeply nested value overflows the stack of any recursive code that touches it later
 * (JSON.stringify in an error message, a tree walk). One pass over the text, counting
 * nesting and object members, refuses such input in time linear in its length and
 * constant memory, before any of it is parsed.
 */

/** What the scanned JSON may hold at most. */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays (a flat object is depth 1). */
  maxDepth: number;
  /** Members of any one object. */
  maxObjectMembers: number;
  /** Object members in the whole text. */
  maxMembers: number;
}

/** Which bound the text broke, where (a character or byte offset), and the bound's value. */
export interface JsonBoundViolation {
  bound: keyof JsonBounds;
  limit: number;
  at: number;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;

/**
 * Scans `length` code units read by `codeAt` (bytes of UTF-8, whose multi-byte characters
 * never contain ASCII bytes, or UTF-16 units of a string) and returns the first bound
 * broken, or null. Malformed JSON is not this function's concern: JSON.parse reports it.
 */
export function scanJson(length: number, codeAt: (i: number) => number, bounds: JsonBounds): JsonBoundViolation | null {
  // members[d]: members counted so far in the open container at depth d (arrays count none).
  const members = new Float64Array(bounds.maxDepth + 2);
  let depth = 0, total = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = codeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++; // the next unit is escaped, whatever it is
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > bounds.maxDepth) return { bound: 'maxDepth', limit: bounds.maxDepth, at: i };
      members[depth] = 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    } else if (c === COLON) {
      if (++members[depth] > bounds.maxObjectMembers) return { bound: 'maxObjectMembers', limit: bounds.maxObjectMembers, at: i };
      if (++total > bounds.maxMembers) return { bound: 'maxMembers', limit: bounds.maxMembers, at: i };
    }
  }
  return null;
}
