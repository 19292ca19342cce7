import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { Json, type JsonBuilder, type JsonValue } from '../json.js';

// Documents are assembled as binary JSONB (no text re-parsed at each level) and turned into text once, at the top.
const value = (v: JsonValue): SQL | SQLWrapper => (v instanceof Json ? v.sql : v);

function object(fields: Record<string, JsonValue>): Json {
  const pairs = Object.entries(fields).map(([key, v]) => sql`${sql.raw(`'${key}'`)}, ${value(v)}`);
  return new Json(sql`jsonb_object(${sql.join(pairs, sql`, `)})`);
}

export const sqliteJson: JsonBuilder = {
  object,
  objectOrNull: (isNull, fields) => new Json(sql`(case when ${isNull} then null else ${object(fields).sql} end)`),
  boolean: (v) => new Json(sql`(case when ${v} then jsonb('true') else jsonb('false') end)`),
  stringArray: (column) => new Json(sql`jsonb(${column})`),
  // The ordered subquery walks the index in order, where `jsonb_group_array(… ORDER BY …)` would
  // sort in a temporary b-tree; SQLite aggregates a subquery's rows in the order it yields them.
  array: ({ element, from, orderBy }) =>
    new Json(
      sql`(select coalesce(jsonb_group_array(rows.doc), jsonb_array()) from (select ${value(element)} as doc from ${from} order by ${orderBy}) as rows)`,
    ),
  text: (document) => sql<string>`json(${document.sql})`,
};
