import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';

/** Secrets mounted as files (Docker and Kubernetes secrets), and the metrics settings. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration: secrets from files and the metrics endpoint', () => {
  let dir: string;
  const file = async (name: string, content: string) => {
    const target = path.join(dir, name);
    await writeFile(target, content, { mode: 0o600 });
    return target;
  };
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'suara-config-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads SESSION_SECRET_FILE, DATA_ENCRYPTION_KEY_FILE and MONGODB_URI_FILE, without the trailing line break', async () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET_FILE: await file('session', 's'.repeat(40) + '\n'),
      DATA_ENCRYPTION_KEY_FILE: await file('key', key + '\n'),
      MONGODB_URI_FILE: await file('uri', 'mongodb://app:p%40ss@mongo1,mongo2/suara?replicaSet=rs0'),
      METRICS_TOKEN_FILE: await file('metrics', 'token-'.padEnd(32, 't') + '\r\n'),
    });
    expect(config.sessionSecret).to.equal('s'.repeat(40));
    expect(config.dataEncryptionKey).to.equal(key);
    expect(config.mongodbUri).to.equal('mongodb://app:p%40ss@mongo1,mongo2/suara?replicaSet=rs0');
    expect(config.metrics.token).to.equal('token-'.padEnd(32, 't'));
  });

  it('refuses a variable given both ways, and a file that cannot be read, naming the variable', async () => {
    const both = configError({ SESSION_SECRET: 'x'.repeat(40), SESSION_SECRET_FILE: await file('s2', 'y'.repeat(40)) });
    expect(both.variable).to.equal('SESSION_SECRET');
    expect(both.message).to.contain('not both');
    const missing = configError({ DATA_ENCRYPTION_KEY_FILE: path.join(dir, 'nothing-here') });
    expect(missing.variable).to.equal('DATA_ENCRYPTION_KEY_FILE');
    expect(missing.message).to.contain('ENOENT');
  });

  it('validates a value from a file like any other, without printing the secret', async () => {
    const error = configError({ DATA_ENCRYPTION_KEY_FILE: await file('short', 'deadbeef-secret') });
    expect(error.variable).to.equal('DATA_ENCRYPTION_KEY');
    expect(error.message).to.contain('read from DATA_ENCRYPTION_KEY_FILE');
    expect(error.message).not.to.contain('deadbeef');
  });

  it('has metrics off by default, on a loopback port when METRICS_PORT is set, and refuses a short token', () => {
    expect(loadConfig({}).metrics).to.deep.equal({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).to.include({
      port: 9464,
      host: '0.0.0.0',
    });
    expect(configError({ METRICS_TOKEN: 'short' }).variable).to.equal('METRICS_TOKEN');
    expect(configError({ METRICS_PORT: 'nine' }).variable).to.equal('METRICS_PORT');
  });
});
