import type { DatabaseHandles } from '../../src/db/client.js';
import { exportDatabase, importDatabase } from '../../src/db/transfer.js';

/** The whole export of a database, as one string. */
export async function exportToString(db: DatabaseHandles): Promise<string> {
  const chunks: string[] = [];
  await exportDatabase({ db, write: (chunk) => void chunks.push(chunk) });
  return chunks.join('');
}

/** Imports an export held in a string. */
export function importString(db: DatabaseHandles, text: string) {
  return importDatabase({ db, lines: linesOf(text) });
}

async function* linesOf(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}
