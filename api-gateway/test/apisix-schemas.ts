import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The APISIX release whose Admin API the fake plays. Every schema under test/apisix-3.11.0/ is
 * transcribed from this tag of apache/apisix; each file's "$comment" names the Lua source.
 */
export const APISIX_RELEASE = '3.11.0';

type Json = Record<string, unknown>;
const FIXTURES = new URL(`../../test/apisix-${APISIX_RELEASE}/`, import.meta.url);
const load = (file: string): Json => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Json;

// APISIX's Lua jsonschema fills in defaults while it validates; group comparisons need them.
const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);

ajv.addSchema(load('schema_def.json'));

/** Compiled validators of the route, upstream and consumer objects (apisix/schema_def.lua). */
export const objectSchemas = {
  route: ajv.compile(load('route.json')),
  upstream: ajv.compile(load('upstream.json')),
  consumer: ajv.compile(load('consumer.json')),
};

interface PluginSchemas {
  readonly route: ValidateFunction;
  readonly consumer?: ValidateFunction;
  /** Top-level property names, as limit-count's group check lists them. */
  readonly fields: readonly string[];
}

function plugin(name: string): PluginSchemas {
  const doc = load(`plugins/${name}.json`) as { route: Json; consumer?: Json };
  const fields = Object.keys((doc.route.properties as Json | undefined) ?? {}).filter((f) => f !== '_meta');
  return { route: ajv.compile(doc.route), consumer: doc.consumer && ajv.compile(doc.consumer), fields };
}

/** The plugins whose schemas are transcribed; any other name is refused as APISIX refuses an unknown plugin. */
export const pluginSchemas: Readonly<Record<string, PluginSchemas>> = {
  'jwt-auth': plugin('jwt-auth'),
  'limit-count': plugin('limit-count'),
  cors: plugin('cors'),
  'request-id': plugin('request-id'),
};

/** One ajv error in the spirit of APISIX's jsonschema messages: which property, what failed. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid';
  const where = first.instancePath ? `property "${first.instancePath.slice(1).replace(/\//g, '.')}"` : 'object';
  const extra = first.keyword === 'additionalProperties' ? ` (${String(first.params.additionalProperty)})` : '';
  return `${where} validation failed: ${first.message ?? first.keyword}${extra}`;
}

/** Runs a validator on a deep copy (defaults are written into it) and returns the copy or the error. */
export function check(validate: ValidateFunction, value: unknown): { ok: true; value: Json } | { ok: false; error: string } {
  const copy = structuredClone(value) as Json;
  return validate(copy) ? { ok: true, value: copy } : { ok: false, error: describeErrors(validate.errors) };
}
