/**
 * One row of a multi-row VALUES list: appends the row's values to the statement's `params` and
 * returns its placeholders, numbered after those already there, e.g. `($7, $8::jsonb)`. `casts`
 * gives a column's type where Postgres cannot infer it from the parameter (an empty entry: none).
 */
export function valuesRow(params: unknown[], values: readonly unknown[], casts: readonly string[] = []): string {
  const first = params.length + 1;
  params.push(...values);
  return `(${values.map((_, i) => `$${first + i}${casts[i] ? `::${casts[i]}` : ''}`).join(', ')})`;
}
