import { expect } from 'chai';
import { ConfigError } from '@faas/common';
import { loadAutoscalerConfig } from '../src/config.js';

describe('autoscaler config', () => {
  it('has defaults that run the stack as documented', () => {
    const config = loadAutoscalerConfig({});
    expect(config.policy).to.deep.equal({ min: 2, max: 10, upThreshold: 0.8, downThreshold: 0.3, upCooldownMs: 30_000, downCooldownMs: 180_000 });
    expect(config).to.include({ port: 8086, service: 'faas_spawner-service', intervalMs: 15_000 });
    expect(config.spawners).to.deep.equal({ host: 'tasks.spawner-service', port: 8084, timeoutMs: 2_000, defaultSlots: 5 });
  });

  it('reports every problem at once: bounds, thresholds, numbers', () => {
    let error: unknown;
    try {
      loadAutoscalerConfig({ AUTOSCALE_MIN: '0', AUTOSCALE_INTERVAL_SECONDS: 'soon', AUTOSCALE_UP_THRESHOLD: '-1', AUTOSCALE_SERVICE: 'bad name' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const field of ['AUTOSCALE_MIN', 'AUTOSCALE_INTERVAL_SECONDS', 'AUTOSCALE_UP_THRESHOLD', 'AUTOSCALE_SERVICE']) expect(problems).to.contain(field);
  });

  it('refuses a down threshold not below the up threshold, and a minimum above the maximum', () => {
    expect(() => loadAutoscalerConfig({ AUTOSCALE_UP_THRESHOLD: '0.5', AUTOSCALE_DOWN_THRESHOLD: '0.5' })).to.throw(ConfigError, /AUTOSCALE_DOWN_THRESHOLD must be below/);
    expect(() => loadAutoscalerConfig({ AUTOSCALE_MIN: '5', AUTOSCALE_MAX: '4' })).to.throw(ConfigError, /AUTOSCALE_MIN exceeds AUTOSCALE_MAX/);
  });
});
