/**
 * The largest and smallest of a list of any length. `Math.max(...values)` passes every value as an
 * argument, and past about a hundred thousand of them V8 throws a RangeError (it crashed the
 * cutover scenario of `npm start` once); these walk the list instead. ESLint refuses the spread form
 * (eslint.config.js), so every extreme of measured samples comes through here.
 */

/** The largest value, or `empty` when there is none. */
export function maxOf(values: Iterable<number>, empty: number): number {
  let found: number | undefined;
  for (const value of values) if (found === undefined || value > found) found = value;
  return found ?? empty;
}

/** The smallest value, or `empty` when there is none. */
export function minOf(values: Iterable<number>, empty: number): number {
  let found: number | undefined;
  for (const value of values) if (found === undefined || value < found) found = value;
  return found ?? empty;
}
