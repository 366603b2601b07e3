import type { Express } from 'express';

export interface RegisteredRoute {
  readonly method: string;
  /** In OpenAPI form: `/registry/functions/{name}`. */
  readonly path: string;
}

interface LayerLike {
  readonly rawPath?: unknown;
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: unknown };
}

const isLayers = (value: unknown): value is LayerLike[] => Array.isArray(value);

function join(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}${path === '/' ? '' : path}` || '/';
}

/** Express 5 paths (`:name`, `*name`) in OpenAPI form (`{name}`); anything fancier is shown as it is, so a test names it. */
const toOpenApi = (path: string): string => path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');

function walk(layers: LayerLike[], prefix: string, out: RegisteredRoute[]): void {
  for (const layer of layers) {
    if (layer.route) {
      const paths = ([] as unknown[]).concat(layer.route.path).map(String);
      for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
        for (const path of paths) out.push({ method, path: toOpenApi(join(prefix, path)) });
      }
    } else if (isLayers(layer.handle?.stack)) {
      // A mounted router: its mount path is the layer's own (`app.use('/auth', router)`).
      const mounts = ([] as unknown[]).concat(layer.rawPath ?? '/').map(String);
      for (const mount of mounts) walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

/** Every route the app's routers register (method + path), found by walking the router stacks. */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  const router = (app as unknown as { router?: { stack?: unknown } }).router;
  if (!isLayers(router?.stack)) throw new Error('not an Express 5 app: no router stack to walk');
  const out: RegisteredRoute[] = [];
  walk(router.stack, '', out);
  return out;
}
