/**
 * Makes tool-call ids acceptable to the Anthropic API, consistently within one request.
 *
 * @see https://docs.claude.com/en/api/messages#body-messages-content (tool_use.id pattern)
 */

/** The id pattern the API enforces on `tool_use.id` and `tool_result.tool_use_id`. */
const VALID_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * Creates a sanitiser for one request: characters outside `[a-zA-Z0-9_-]` become `_`, the same
 * input always gives the same output (so a `tool_use` and its `tool_result` still match), and
 * two different inputs never collide.
 */
export function createToolIdSanitizer(): (id: string) => string {
  const byInput = new Map<string, string>();
  const taken = new Set<string>();
  return (id) => {
    const known = byInput.get(id);
    if (known !== undefined) return known;
    let candidate = VALID_ID.test(id) ? id : id.replace(/[^a-zA-Z0-9_-]/g, '_') || 'toolu_';
    if (taken.has(candidate)) {
      let suffix = 2;
      while (taken.has(`${candidate}_${suffix}`)) suffix++;
      candidate = `${candidate}_${suffix}`;
    }
    byInput.set(id, candidate);
    taken.add(candidate);
    return candidate;
  };
}
