/**
 * What tests open (apps, servers) is closed after each test by tests/setup.ts. A helper module
 * cannot register its own afterEach: with `isolate: false` (the PostgreSQL half) it is imported
 * once per worker, so its hook would belong to the first test file only and later files would
 * leak their apps and connections.
 */
const closers: (() => Promise<void>)[] = [];

export function closeAfterTest(close: () => Promise<void>): void {
  closers.push(close);
}

export async function closeEverything(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}
