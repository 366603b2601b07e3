import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const DEFS_REF = '#/$defs/';
const COMPONENTS_REF = '#/components/schemas/';

/**
 * A zod schema as OpenAPI 3.1 (JSON Schema 2020-12) through zod's own `toJSONSchema`: request
 * schemas as they are read (`input`: defaults make a field optional), responses as they are
 * written (`output`). Schemas named with `.meta({ id })` become shared components: their
 * `$defs` are moved into `components` and every `$ref` is pointed there.
 */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  const { $schema: _dialect, $defs, ...root } = generated;
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const rewritten = rewriteRefs(def) as JsonSchema;
    const existing = components[id];
    if (existing && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
      throw new Error(`OpenAPI component ${id} has two different shapes (is it used as a request and a response?)`);
    }
    components[id] = rewritten;
  }
  return rewriteRefs(root) as JsonSchema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith(DEFS_REF) ? COMPONENTS_REF + inner.slice(DEFS_REF.length) : rewriteRefs(inner),
    ]),
  );
}
