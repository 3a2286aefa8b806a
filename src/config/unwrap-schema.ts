/** Reaches the schema under zod's optional/default/prefault/nullable/pipe wrappers (public API only). */
import { z } from 'zod';

/**
 * The schema a setting is really checked against. `side` picks which half of a pipe to follow:
 * `'in'` for what a user writes, `'out'` for what is validated (`z.preprocess(fn, schema)` checks
 * its output side).
 */
export function unwrapSchema(schema: z.ZodType, side: 'in' | 'out'): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = (side === 'in' ? current.in : current.out) as z.ZodType;
    } else break;
  }
  return current;
}
