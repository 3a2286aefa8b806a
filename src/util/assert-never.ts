/** Exhaustiveness check for switches over unions the project owns. */

/** Fails at compile time when a case is missed; throws at run time if reached anyway. */
export function assertNever(value: never, what = 'value'): never {
  throw new TypeError(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
