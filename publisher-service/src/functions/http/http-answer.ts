import type { HttpOutcome } from '@faas/common';
import type { Response } from 'express';

/**
 * Whatever a function answers runs on the platform's origin, beside the portal (whose token is in
 * sessionStorage): as a sandboxed document, its scripts run in an origin of their own and read
 * nothing of the platform's. A function's own policy is kept too (a second policy only restricts).
 */
const SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

export const statusUrl = (id: string): string => `/publisher/executions/${id}`;

/** Sends the function's answer, or the JSON error that says why there is none (with the execution id). */
export function sendOutcome(res: Response, outcome: HttpOutcome, executionId: string): void {
  if (outcome.kind === 'failure') {
    const { statusCode, code, message } = outcome.failure;
    res.status(statusCode).json({ error: { code, message, executionId, statusUrl: statusUrl(executionId), requestId: res.locals.requestId } });
    return;
  }
  const { statusCode, headers, cookies, body } = outcome.answer;
  res.status(statusCode);
  for (const [name, value] of Object.entries(headers)) if (name !== 'content-security-policy') res.setHeader(name, value);
  res.setHeader('content-security-policy', headers['content-security-policy'] ? [headers['content-security-policy'], SANDBOX] : SANDBOX);
  res.setHeader('x-content-type-options', 'nosniff');
  if (cookies.length > 0) res.setHeader('set-cookie', [...cookies]);
  res.end(body);
}

/** The sync wait ended first: the execution goes on, and its record will have the answer. */
export function sendStillRunning(res: Response, executionId: string, waitedMs: number): void {
  res.status(504).location(statusUrl(executionId)).json({
    error: {
      code: 'FUNCTION_STILL_RUNNING',
      message: `the function did not answer within ${Math.round(waitedMs / 1000)} s; the execution goes on`,
      executionId,
      statusUrl: statusUrl(executionId),
      requestId: res.locals.requestId,
    },
  });
}
