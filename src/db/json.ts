import type { SQL, SQLWrapper } from 'drizzle-orm';
import { postgresJson } from './postgres/json.js';
import { type Db, dialectOf } from './schema.js';
import { sqliteJson } from './sqlite/json.js';

/**
 * JSON built by the database, so a public document leaves it as one string that goes to the
 * client untouched. Both engines write the same bytes for the same rows (compact, keys in the
 * order given, strings escaped alike): a test compares them. Keys are code constants, never input.
 */
export class Json {
  constructor(readonly sql: SQL) {}
}

/** A column or expression (encoded as a JSON scalar), or JSON built by the same builder. */
export type JsonValue = SQLWrapper | Json;

export interface JsonBuilder {
  /** { "key": value, … } */
  object(fields: Record<string, JsonValue>): Json;
  /** The object, or JSON null when `isNull` holds. */
  objectOrNull(isNull: SQLWrapper, fields: Record<string, JsonValue>): Json;
  /** A stored boolean as JSON true/false. */
  boolean(value: SQLWrapper): Json;
  /** A column holding a JSON array of strings, embedded as JSON. */
  stringArray(column: SQLWrapper): Json;
  /** A JSON array of `element` over the rows of `from` (a FROM … WHERE … clause), in `orderBy` order. */
  array(options: { element: JsonValue; from: SQL; orderBy: SQL }): Json;
  /** The finished document as JSON text. */
  text(document: Json): SQL<string>;
}

export function jsonOf(db: Db): JsonBuilder {
  return dialectOf(db) === 'postgres' ? postgresJson : sqliteJson;
}
