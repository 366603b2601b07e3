import { apiError, FUNCTION_NAME_PATTERN, USERNAME_PATTERN, type ApiRoute, type HttpMethod } from '@faas/common';
import { z } from 'zod';
import { HTTP_FUNCTION_PATHS } from './http-routes.js';

const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete', 'options'];

const params = {
  owner: z.string().regex(USERNAME_PATTERN).meta({ description: "the function's owner (any case)" }),
  function: z.string().regex(FUNCTION_NAME_PATTERN).meta({ description: 'the function, registered with "http": true' }),
  path: z.string().meta({ description: "the rest of the path: the event's rawPath" }),
};

const description = [
  "Calls an HTTP function (docs/http-functions.md): the request becomes the function's event in the shape of Lambda's API Gateway payload 2.0",
  '(version, rawPath, rawQueryString, cookies, headers, queryStringParameters, requestContext.http, body, isBase64Encoded), and the function\'s',
  '{statusCode, headers, cookies, body, isBase64Encoded} becomes the answer; any other result is a 200 (JSON as application/json, text as text/plain).',
  'A public function needs no token; a private one needs its owner\'s (`Authorization: Bearer`). HEAD is served as GET. Any body, of any content type, up to MAX_ARGUMENT_BYTES as the event.',
].join(' ');

/** The HTTP function routes (http-routes.ts): one operation per method and path. */
export const httpFunctionApiRoutes: readonly ApiRoute[] = METHODS.flatMap((method) =>
  HTTP_FUNCTION_PATHS.map((path): ApiRoute => ({
    method,
    path,
    summary: `Call an HTTP function (${method.toUpperCase()})`,
    description,
    params,
    responses: {
      200: { description: 'the function\'s answer, with the status (200-599), headers and body it set; `x-faas-execution-id` names its execution', mediaType: '*/*' },
      401: apiError('a private function, and no token or a bad one'),
      404: apiError('no HTTP function of this name for this user, or another user\'s private one'),
      405: apiError('a method an HTTP function does not take (`Allow` lists those it does)'),
      413: apiError('the body, as the event, is larger than MAX_ARGUMENT_BYTES'),
      429: apiError('too many calls from this address (HTTP_FUNCTION_RATE_PER_MINUTE), or the owner\'s MAX_CONCURRENT_PER_USER'),
      502: apiError('the function failed, or answered a malformed response; the error names the execution (executionId)'),
      504: apiError('the function timed out, or did not answer within the sync wait; the execution goes on (executionId, statusUrl)'),
    },
  })),
);
