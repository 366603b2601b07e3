import { isDeepStrictEqual } from 'node:util';
import { check, objectSchemas, pluginSchemas } from './apisix-schemas.js';

type Json = Record<string, unknown>;

/** core/lrucache.lua: PLUGIN_TTL, the lifetime of limit-count's group_conf_lru entries. */
export const GROUP_CONF_TTL_MS = 5 * 60 * 1000;

/**
 * limit-count/init.lua check_schema: the first conf seen for a group is kept (per worker, for
 * PLUGIN_TTL); a later conf of that group that differs in any schema field is refused.
 */
export class GroupConfCache {
  private readonly confs = new Map<string, { conf: Json; expiresAt: number }>();
  constructor(private readonly now: () => number) {}

  check(group: string, conf: Json, fields: readonly string[]): string | undefined {
    const cached = this.confs.get(group);
    if (!cached || cached.expiresAt <= this.now()) {
      this.confs.set(group, { conf, expiresAt: this.now() + GROUP_CONF_TTL_MS });
      return undefined;
    }
    return fields.every((f) => isDeepStrictEqual(cached.conf[f], conf[f])) ? undefined : 'group conf mismatched';
  }
}

const REDIS_FIELDS: Record<string, readonly string[]> = {
  redis: ['redis_host', 'redis_port', 'redis_username', 'redis_password', 'redis_database', 'redis_timeout', 'redis_ssl', 'redis_ssl_verify'],
  'redis-cluster': ['redis_cluster_nodes', 'redis_password', 'redis_timeout', 'redis_cluster_name', 'redis_cluster_ssl', 'redis_cluster_ssl_verify'],
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Each plugin's own check_schema, beyond its JSON Schema. */
function pluginExtra(name: string, conf: Json, asConsumer: boolean, groups: GroupConfCache): string | undefined {
  if (name === 'cors' && conf.allow_credential === true) {
    const star = ['allow_origins', 'allow_methods', 'allow_headers', 'expose_headers', 'timing_allow_origins'].some((k) => conf[k] === '*');
    if (star) return "you can not set '*' for other option when 'allow_credential' is true";
  }
  if (name === 'jwt-auth' && asConsumer && conf.base64_secret === true && typeof conf.secret === 'string' && !BASE64.test(conf.secret)) {
    return 'base64_secret required but the secret is not in base64 format';
  }
  if (name === 'limit-count' && typeof conf.group === 'string') {
    const fields = [...(pluginSchemas['limit-count']?.fields ?? []), ...(REDIS_FIELDS[String(conf.policy)] ?? [])];
    return groups.check(conf.group, conf, fields);
  }
  return undefined;
}

/** apisix/plugin.lua check_single_plugin_schema, over every plugin of a route or consumer. */
export function checkPlugins(plugins: unknown, asConsumer: boolean, groups: GroupConfCache): string | undefined {
  if (plugins === undefined) return undefined;
  for (const [name, conf] of Object.entries(plugins as Json)) {
    if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) return `invalid plugin conf ${JSON.stringify(conf)} for plugin [${name}]`;
    const schemas = pluginSchemas[name];
    if (!schemas) return `unknown plugin [${name}]`;
    const validate = asConsumer && schemas.consumer ? schemas.consumer : schemas.route;
    const checked = check(validate, conf);
    const problem = checked.ok ? pluginExtra(name, checked.value, asConsumer, groups) : checked.error;
    if (problem) return `failed to check the configuration of plugin ${name} err: ${problem}`;
  }
  return undefined;
}

/** apisix/upstream.lua check_upstream_conf (the parts that apply to an http upstream with nodes). */
export function checkUpstreamConf(conf: unknown): string | undefined {
  const checked = check(objectSchemas.upstream, conf);
  if (!checked.ok) return `invalid configuration: ${checked.error}`;
  const up = checked.value;
  if (up.pass_host === 'rewrite' && !up.upstream_host) return '`upstream_host` can\'t be empty when `pass_host` is `rewrite`';
  if (up.type === 'chash' && up.hash_on !== 'consumer' && up.key === undefined) return 'missing key';
  return undefined;
}
