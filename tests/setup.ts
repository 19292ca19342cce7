import { afterEach } from 'vitest';
import { closeEverything } from './helpers/cleanup.js';

// Runs for every test file (setup files are evaluated per file, even without isolation).
afterEach(closeEverything);
