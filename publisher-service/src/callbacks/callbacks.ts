import http from 'node:http';
import https from 'node:https';
import type { ExecutionRecord } from '@faas/common';
import axios from 'axios';
import { SIGNATURE_HEADER, signCallback } from './callback-signing.js';
import { pinnedLookup, resolveCallbackTarget, type Resolver } from './callback-target.js';

export interface CallbackOptions {
  readonly allowPrivate: boolean;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
  /** Resolves callback hosts (tests inject one); the system resolver when absent. */
  readonly resolve?: Resolver;
}

/** Checked at submission (the URL is refused with a 400) and again, pinned, at every delivery. */
export async function checkCallbackUrl(raw: string, options: Pick<CallbackOptions, 'allowPrivate' | 'resolve'>): Promise<URL> {
  return (await resolveCallbackTarget(raw, options)).url;
}

/**
 * One delivery attempt: resolves and checks the target again (SSRF), then POSTs the final record
 * to exactly the addresses it checked (no second DNS answer, no proxy from the environment), signed
 * with the user's callback key when there is one. Throws ValidationError when the target is refused
 * (no later attempt can succeed), another Error when this attempt failed.
 */
export async function postCallback(raw: string, record: ExecutionRecord, options: CallbackOptions, signingKey?: string): Promise<void> {
  const target = await resolveCallbackTarget(raw, options);
  const lookup = pinnedLookup(target);
  const body = JSON.stringify(record);
  const agent = target.url.protocol === 'https:' ? { httpsAgent: new https.Agent({ lookup }) } : { httpAgent: new http.Agent({ lookup }) };
  const res = await axios.post(target.url.toString(), body, {
    ...agent,
    proxy: false,
    timeout: options.timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    transformRequest: [(data: unknown) => data],
    headers: {
      'content-type': 'application/json',
      'x-faas-execution-id': record.id,
      ...(signingKey ? { [SIGNATURE_HEADER]: signCallback(signingKey, body) } : {}),
    },
  });
  if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
}
