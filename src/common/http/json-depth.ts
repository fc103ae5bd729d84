// A request body nested deeper than any of the gateway's bodies is refused before it is parsed:
// parsing, validating and hashing such a body recurse once per level, and a body of a few
// kilobytes nested some thousands deep exhausts the stack. The scan reads the text once, without
// recursion, and skips strings (a bracket in a name is text).

/** Deeper than any body the API takes (an order's lines' prices are 4 levels). */
export const MAX_JSON_DEPTH = 32;

/** Whether the JSON text opens more than `limit` arrays or objects inside one another. */
export function jsonNestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}
