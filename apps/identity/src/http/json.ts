/**
 * JSON bodies are decoded here, and only here: nesting is bounded before the text is parsed, so a
 * deeply nested body (`[[[[…]]]]` twenty thousand levels deep) is a 400 and never reaches the
 * recursive code behind the parser (trait coercion, schema validation, the jsonb mapper), where it
 * would overflow the stack and answer 500.
 */

/** The deepest nesting of objects and arrays a request body may have. Kratos' own documents stay under 10. */
export const MAX_JSON_DEPTH = 64;

/** Why a body could not be decoded: not JSON, or nested deeper than {@link MAX_JSON_DEPTH}. */
export class JsonDecodeError extends Error {
  constructor(
    readonly kind: "syntax" | "depth",
    message: string,
  ) {
    super(message);
  }
}

/**
 * True when the JSON text opens more than `limit` objects or arrays inside each other. A linear scan
 * that skips string contents (escapes included); it does not validate — JSON.parse does that next.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  // Fast path: a text with no more brackets than the limit cannot nest deeper than it.
  let opens = 0;
  for (let i = text.indexOf("{"); i !== -1 && opens <= limit; i = text.indexOf("{", i + 1)) opens++;
  for (let i = text.indexOf("["); i !== -1 && opens <= limit; i = text.indexOf("[", i + 1)) opens++;
  if (opens <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limit) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

/** Parses a JSON text whose nesting is at most `maxDepth`; throws {@link JsonDecodeError} otherwise. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (nestsDeeperThan(text, maxDepth)) {
    throw new JsonDecodeError("depth", `the body nests objects or arrays deeper than ${maxDepth} levels.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new JsonDecodeError("syntax", "the body is not valid JSON.");
  }
}
