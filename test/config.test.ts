import { expect } from 'chai';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';

/** Calls loadConfig and returns the ConfigError it must throw. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration from the environment', () => {
  it('starts with nothing set: port 3000 and an absolute ./data folder', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3000);
    expect(config.env).to.equal('development');
    expect(path.isAbsolute(config.dataDir)).to.equal(true);
    expect(config.dataDir.endsWith(`${path.sep}data`)).to.equal(true);
    expect(config.mongodbUri).to.equal(undefined);
  });

  it('accepts a MongoDB URI, including mongodb+srv for Atlas', () => {
    expect(loadConfig({ MONGODB_URI: 'mongodb://db.example:27017/suara?replicaSet=rs0' }).mongodbUri).to.match(
      /^mongodb:\/\//,
    );
    expect(loadConfig({ MONGODB_URI: 'mongodb+srv://u:p@cluster.example.net/suara' }).mongodbUri).to.match(
      /^mongodb\+srv:\/\//,
    );
  });

  // Each wrong value: the variable the message must name, and what it must say is expected instead.
  const wrong: [string, NodeJS.ProcessEnv, string, RegExp][] = [
    ['a port that is not a number', { PORT: 'abc' }, 'PORT', /number/],
    ['a port above 65535', { PORT: '70000' }, 'PORT', /65535/],
    [
      'a database URL that is not mongodb:// or mongodb+srv://',
      { MONGODB_URI: 'http://x' },
      'MONGODB_URI',
      /must be a URL starting with mongodb:\/\/ or mongodb\+srv:\/\//,
    ],
    ['production without a session secret', { NODE_ENV: 'production' }, 'SESSION_SECRET', /required/],
    ['a mail URL that is not smtp:// or smtps://', { SMTP_URL: 'http://mail.example' }, 'SMTP_URL', /smtp/],
  ];
  for (const [what, env, variable, expects] of wrong) {
    it(`refuses ${what}, naming ${variable}`, () => {
      const error = configError(env);
      expect(error.variable).to.equal(variable);
      expect(error.message).to.include(variable).and.match(expects);
      expect(error.message).not.to.include('\n'); // the server prints it as one line
    });
  }
});
