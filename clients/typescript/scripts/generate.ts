import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateSchemaTypes, SCHEMA_PATH } from './schema-source.js';

// npm run client:generate — rewrites clients/typescript/src/schema.d.ts from the current routes.
await writeFile(SCHEMA_PATH, await generateSchemaTypes());
console.log(`wrote ${fileURLToPath(SCHEMA_PATH)}`);
