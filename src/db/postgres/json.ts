import { type SQL, sql } from 'drizzle-orm';
import { Json, type JsonBuilder, type JsonValue } from '../json.js';

// Compact JSON text by concatenation: json_build_object and json_agg write spaces and newlines,
// and jsonb reorders keys, so neither gives the bytes SQLite gives. to_json() escapes strings
// exactly as SQLite and JSON.stringify do. Every piece is non-null text ('null' for SQL NULL).
const value = (v: JsonValue): SQL => (v instanceof Json ? v.sql : sql`coalesce(to_json(${v})::text, 'null')`);

const literal = (text: string) => sql.raw(`'${text.replaceAll("'", "''")}'`);

function object(fields: Record<string, JsonValue>): Json {
  const parts = Object.entries(fields).map(
    ([key, v], i) => sql`${literal(`${i === 0 ? '{' : ','}${JSON.stringify(key)}:`)} || ${value(v)}`,
  );
  if (parts.length === 0) return new Json(sql`'{}'`);
  return new Json(sql`(${sql.join(parts, sql` || `)} || '}')`);
}

export const postgresJson: JsonBuilder = {
  object,
  objectOrNull: (isNull, fields) => new Json(sql`(case when ${isNull} then 'null' else ${object(fields).sql} end)`),
  boolean: (v) => new Json(sql`(case when ${v} then 'true' else 'false' end)`),
  stringArray: (column) =>
    new Json(
      sql`(select coalesce('[' || string_agg(to_json(e.value)::text, ',' order by e.n) || ']', '[]') from jsonb_array_elements_text(${column}) with ordinality as e(value, n))`,
    ),
  array: ({ element, from, orderBy }) =>
    new Json(
      sql`(select coalesce('[' || string_agg(${value(element)}, ',' order by ${orderBy}) || ']', '[]') from ${from})`,
    ),
  text: (document) => sql<string>`${document.sql}`,
};
