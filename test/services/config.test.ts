import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ENV_VARS, intervalToCron, loadConfig } from '../../services/config.ts';

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 8080);
    assert.equal(c.DATA_DIR, './data');
    assert.equal(c.REGISTRY, 'fs');
    assert.equal(c.cycleCron, '*/30 * * * * *');
    assert.equal(c.cycleIntervalSeconds, 30);
    assert.equal(c.SCAN_EVERY, 5);
    assert.equal(c.SCHEDULE, 'sgd:0.03');
  });

  it('reads only the listed variables and treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '', UNRELATED: 'x', POOL_SUBSET: '500' });
    assert.equal(c.PORT, 8080);
    assert.equal(c.POOL_SUBSET, 500);
    assert.ok(!('UNRELATED' in c));
  });

  it('rejects bad values naming the variable', () => {
    const cases: Record<string, string>[] = [
      { PORT: '70000' },
      { REGISTRY: 'ftp' },
      { SCHEDULE: 'adam:1' },
      { DRIFT: 'spin:4' },
      { CYCLE_CRON: 'every minute' },
      { ADMIN_TOKEN: 'short' },
      { CYCLES_ENABLED: 'maybe' },
      { POOL_SUBSET: '1.5' },
    ];
    for (const env of cases) {
      const [name] = Object.keys(env);
      assert.throws(
        () => loadConfig(env),
        (err: Error) => err instanceof ConfigError && err.message.includes(name),
        name,
      );
    }
  });

  it('needs credentials for the S3 registry', () => {
    assert.throws(() => loadConfig({ REGISTRY: 's3' }), /S3_ACCESS_KEY/);
    assert.equal(loadConfig({ REGISTRY: 's3', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' }).S3_PORT, 9000);
  });

  it('turns intervals into cron steps and derives the interval of CYCLE_CRON', () => {
    assert.equal(intervalToCron(5), '*/5 * * * * *');
    assert.equal(intervalToCron(120), '0 */2 * * * *');
    assert.throws(() => intervalToCron(7), ConfigError);
    assert.equal(loadConfig({ CYCLE_CRON: '0 */5 * * * *' }).cycleIntervalSeconds, 300);
  });

  it('lists every variable it validates', () => {
    for (const name of [
      'PORT',
      'HOST',
      'DATA_DIR',
      'CYCLE_CRON',
      'CYCLE_INTERVAL_SECONDS',
      'REGISTRY',
      'S3_BUCKET',
      'ADMIN_TOKEN',
      'POOL_SUBSET',
      'SCAN_EVERY',
      'LOG_LEVEL',
    ]) {
      assert.ok(name in ENV_VARS, name);
    }
  });
});
