import { AppError } from './errors.js';

/** Refuses a write whose If-Match no longer names the current ETag; no header, no check. */
export function checkIfMatch(ifMatch: string | undefined, current: string, what: string): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(',').map((tag) => tag.trim());
  if (candidates.includes('*') || candidates.includes(current)) return;
  throw new AppError({
    status: 412,
    code: 'precondition_failed',
    title: 'Precondition Failed',
    detail: `The ${what} changed since you read it (now ${current}); fetch it again and reapply your change.`,
  });
}
