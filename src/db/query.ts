/** The first row of an awaited query, or undefined: the same on both engines. */
export async function first<Row>(query: PromiseLike<Row[]>): Promise<Row | undefined> {
  return (await query)[0];
}
