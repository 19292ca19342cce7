import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * JSON built by the database, so a public document leaves SQLite as one string that goes to the
 * client untouched. These are SQLite's json1 functions; a PostgreSQL dialect maps them to
 * json_build_object / json_agg. Keys are code constants, never user input.
 */
type Value = SQLWrapper | SQL;

/** { "key": value, … } */
export function jsonObject(fields: Record<string, Value>): SQL {
  const pairs = Object.entries(fields).map(([key, value]) => sql`${sql.raw(`'${key}'`)}, ${value}`);
  return sql`json_object(${sql.join(pairs, sql`, `)})`;
}

/** The object, or JSON null when `isNull` holds. */
export function jsonObjectOrNull(isNull: Value, fields: Record<string, Value>): SQL {
  return sql`json(case when ${isNull} then 'null' else ${jsonObject(fields)} end)`;
}

/** A stored boolean (0/1) as JSON true/false. */
export function jsonBoolean(value: Value): SQL {
  return sql`json(case when ${value} then 'true' else 'false' end)`;
}

/** A column that already holds JSON text, embedded as JSON rather than as a string. */
export function jsonEmbedded(value: Value): SQL {
  return sql`json(${value})`;
}

/** The `doc` column of an ordered subquery, as a JSON array ("[]" when it has no rows). */
export function jsonArrayOf(orderedRows: SQL): SQL {
  return sql`(select coalesce(json_group_array(json(rows.doc)), '[]') from (${orderedRows}) as rows)`;
}
