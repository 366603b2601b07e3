import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Operation = { requestBody?: { content?: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> };
export type OpenApiDoc = { paths: Record<string, Record<string, Operation>> };

export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const pointer = (...parts: string[]): string => parts.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
const JSON_TYPE = 'application/json';

/** Checks requests and responses against an OpenAPI 3.1 document with ajv (JSON Schema 2020-12). */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly templates: { path: string; pattern: RegExp }[];

  constructor(private readonly doc: OpenApiDoc) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi');
    this.templates = Object.keys(doc.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  private schema(...parts: string[]): ValidateFunction {
    const validate = this.ajv.getSchema(`openapi#${pointer(...parts)}`);
    if (!validate) throw new Error(`no schema at ${parts.join(' ')}`);
    return validate;
  }

  /** Every way the exchange departs from the document (empty when it conforms). */
  check(x: Exchange): string[] {
    const pathname = new URL(x.url).pathname;
    const method = x.method.toLowerCase();
    const label = `${x.method} ${pathname} -> ${x.status}`;
    const path = this.templates.find((t) => t.pattern.test(pathname))?.path;
    const operation = path ? this.doc.paths[path]?.[method] : undefined;
    if (!path || !operation) return [`${label}: no such operation in the document`];
    const problems: string[] = [];
    if (x.body !== undefined && operation.requestBody?.content?.[JSON_TYPE]) {
      const validate = this.schema('paths', path, method, 'requestBody', 'content', JSON_TYPE, 'schema');
      if (!validate(JSON.parse(x.body)) && x.status < 400) {
        problems.push(`${label}: the service accepted a body the document refuses: ${this.ajv.errorsText(validate.errors)}`);
      }
    }
    const code = operation.responses[String(x.status)] ? String(x.status) : 'default';
    const response = operation.responses[code];
    if (!response || (code === 'default' && x.status < 400)) return [...problems, `${label}: status not in the document`];
    if (!response.content) {
      if (x.text !== '') problems.push(`${label}: the document says no body, got ${x.text.slice(0, 80)}`);
    } else if (response.content[JSON_TYPE]) {
      if (!x.contentType.startsWith(JSON_TYPE)) problems.push(`${label}: expected JSON, got ${x.contentType}`);
      else if ((response.content[JSON_TYPE] as { schema?: unknown }).schema) {
        const validate = this.schema('paths', path, method, 'responses', code, 'content', JSON_TYPE, 'schema');
        if (!validate(JSON.parse(x.text))) problems.push(`${label}: ${this.ajv.errorsText(validate.errors)} in ${x.text.slice(0, 300)}`);
      }
    } else {
      const types = Object.keys(response.content);
      if (!types.some((type) => type === '*/*' || x.contentType.startsWith(type))) problems.push(`${label}: expected ${types.join(' or ')}, got ${x.contentType}`);
    }
    return problems;
  }
}
