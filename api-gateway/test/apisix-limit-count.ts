/**
 * What APISIX 3.11.0 does with a route's limit-count conf (policy local), transcribed from
 * apache/apisix tag 3.11.0 apisix/plugins/limit-count/init.lua (rate_limit, gen_limit_key),
 * limit-count-local.lua and lua-resty-limit-traffic's resty.limit.count: a fixed window that
 * opens with a key's first request; past `count` the request is rejected until it closes.
 * With `_meta.error_response` (apisix/plugin.lua run_plugin) that object is the body.
 */
type Conf = Record<string, unknown>;

export interface EdgeAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers: Record<string, string>;
}

export class LimitCountLocal {
  private readonly windows = new Map<string, { opened: number; used: number }>();

  /** One request on the route `routeId` whose plugins hold `conf`; `vars` are nginx/APISIX variables. */
  incoming(routeId: string, conf: Conf, vars: Record<string, string>, nowSeconds: number): EdgeAnswer | undefined {
    const count = Number(conf.count);
    const window = Number(conf.time_window);
    const raw = conf.key_type === 'constant' ? String(conf.key) : conf.key_type === 'var_combination'
      ? String(conf.key).replace(/\$(\w+)/g, (_m, name: string) => vars[name] ?? '')
      : vars[String(conf.key ?? 'remote_addr')];
    // gen_limit_key: a group shares one counter across routes; otherwise it is per route.
    const key = `${typeof conf.group === 'string' ? conf.group : `route${routeId}`}:${raw ?? vars.remote_addr}`;
    let state = this.windows.get(key);
    if (!state || nowSeconds >= state.opened + window) state = { opened: nowSeconds, used: 0 };
    this.windows.set(key, state);
    const reset = Math.max(0, state.opened + window - nowSeconds);
    const show = conf.show_limit_quota_header !== false;
    if (state.used >= count) {
      const headers: Record<string, string> = show ? { 'X-RateLimit-Limit': String(count), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) } : {};
      const meta = conf._meta as { error_response?: unknown } | undefined;
      const body = meta?.error_response ?? (typeof conf.rejected_msg === 'string' ? { error_msg: conf.rejected_msg } : undefined);
      return { status: Number(conf.rejected_code ?? 503), body, headers };
    }
    state.used++;
    return undefined;
  }
}
