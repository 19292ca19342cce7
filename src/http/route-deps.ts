import type { Config } from '../config.js';
import type { DatabaseHandles } from '../db/client.js';

/** What every route plugin is given by buildApp: nothing is looked up globally. */
export interface RouteDeps {
  db: DatabaseHandles;
  now: () => Date;
  config: Config;
}
