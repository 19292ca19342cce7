import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * JSON built by the database, so a public document leaves SQLite as one string that goes to the
 * client untouched. Documents are assembled as binary JSONB (no text re-parsed at each level)
 * and turned into text once, at the top. PostgreSQL has the same shapes: jsonb_build_object,
 * jsonb_agg(… ORDER BY …). Keys are code constants, never user input.
 */
type Value = SQLWrapper | SQL;

/** { "key": value, … } */
export function jsonObject(fields: Record<string, Value>): SQL {
  const pairs = Object.entries(fields).map(([key, value]) => sql`${sql.raw(`'${key}'`)}, ${value}`);
  return sql`jsonb_object(${sql.join(pairs, sql`, `)})`;
}

/** The object, or JSON null when `isNull` holds. */
export function jsonObjectOrNull(isNull: Value, fields: Record<string, Value>): SQL {
  return sql`(case when ${isNull} then null else ${jsonObject(fields)} end)`;
}

/** A stored boolean (0/1) as JSON true/false. */
export function jsonBoolean(value: Value): SQL {
  return sql`(case when ${value} then jsonb('true') else jsonb('false') end)`;
}

/** A column that already holds JSON text, embedded as JSON rather than as a string. */
export function jsonEmbedded(value: Value): SQL {
  return sql`jsonb(${value})`;
}

/**
 * A JSON array of `element` over the rows of `from` (a FROM … WHERE … clause), in `orderBy` order.
 * The ordered subquery walks the index in order, where `jsonb_group_array(… ORDER BY …)` would
 * sort in a temporary b-tree; SQLite aggregates a subquery's rows in the order it yields them.
 */
export function jsonArray({ element, from, orderBy }: { element: SQL; from: SQL; orderBy: SQL }): SQL {
  return sql`(select coalesce(jsonb_group_array(rows.doc), jsonb_array()) from (select ${element} as doc from ${from} order by ${orderBy}) as rows)`;
}

/** The finished document as JSON text. */
export function jsonText(document: SQL): SQL<string> {
  return sql<string>`json(${document})`;
}
