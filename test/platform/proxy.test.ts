import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/** Sign-ins counted against an address by the login rate limit, over every window so far. */
async function loginHits(ip: string): Promise<number> {
  const prefix = `login:${ip}:`;
  const counters = await mongoose.connection
    .db!.collection<{ _id: string; hits: number }>('rate_limits')
    .find({ _id: { $regex: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } })
    .toArray();
  return counters.reduce((sum, counter) => sum + counter.hits, 0);
}

/** A failed sign-in with forged X-Forwarded-For, as it reaches Suara through the proxy; returns its audit entry. */
async function failedSignIn(app: Awaited<ReturnType<typeof testApp>>, forwardedFor: string, email: string) {
  await request(app)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', forwardedFor)
    .send({ email, password: 'salah-sekali' })
    .expect(401);
  return (await AuditEntry.findOne({ action: 'auth.failed', target: email }).lean())!;
}

describe('TRUST_PROXY: the client address is the one the trusted proxy saw, never one the client chose', () => {
  useTestDatabase();
  before(async () => {
    await seedDirectory();
  });
  beforeEach(resetRateLimits);

  it('with one proxy hop, takes the address the proxy appended (right-most) for the audit log and the rate limit', async () => {
    const app = await testApp({ TRUST_PROXY: '1' });
    const entry = await failedSignIn(app, '6.6.6.6, 1.2.3.4', 'satu@contoh.id');
    expect(entry.ip).to.equal('1.2.3.4');
    expect(await loginHits('1.2.3.4')).to.equal(1);
    expect(await loginHits('6.6.6.6')).to.equal(0);
  });

  it('with one proxy hop, a client that forges a new left-most address on each try still hits the intake limit', async () => {
    const app = await testApp({ TRUST_PROXY: '1' });
    // The limit counts in fixed ten-minute windows: start where eleven tickets fit in one.
    const left = 600_000 - (Date.now() % 600_000);
    if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left));
    const fileFrom = (forwardedFor: string) =>
      request(app).post('/api/v1/tickets').set('X-Forwarded-For', forwardedFor).send({
        kind: 'compliment',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'other',
        description: 'Pelayanan di loket pendaftaran cepat dan ramah sekali.',
        privacy: 'anonymous',
        consent: true,
      });
    for (let i = 1; i <= 10; i++) await fileFrom(`10.9.8.${i}, 1.2.3.4`).expect(201);
    const limited = await fileFrom('10.9.8.99, 1.2.3.4').expect(429);
    expect(limited.body.error.code).to.equal('rate_limited');
    // Another citizen behind the same proxy is not held back by it.
    await fileFrom('10.9.8.1, 5.6.7.8').expect(201);
  });

  it('with no proxy trusted (the default), ignores X-Forwarded-For altogether', async () => {
    const app = await testApp();
    const entry = await failedSignIn(app, '6.6.6.6, 1.2.3.4', 'nol@contoh.id');
    expect(entry.ip).to.match(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await loginHits('1.2.3.4')).to.equal(0);
    expect(await loginHits('6.6.6.6')).to.equal(0);
  });

  it('with a list of proxy addresses, trusts only those: the loopback proxy here, not a 10.0.0.0/8 one', async () => {
    const trusted = await testApp({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
    expect((await failedSignIn(trusted, '6.6.6.6, 1.2.3.4', 'daftar@contoh.id')).ip).to.equal('1.2.3.4');
    // A chain of trusted proxies is walked from the right up to the first address none of them is.
    expect((await failedSignIn(trusted, '6.6.6.6, 1.2.3.4, 10.1.1.1', 'rantai@contoh.id')).ip).to.equal('1.2.3.4');
    const other = await testApp({ TRUST_PROXY: '10.0.0.0/8' });
    expect((await failedSignIn(other, '6.6.6.6, 1.2.3.4', 'lain@contoh.id')).ip).to.match(/127\.0\.0\.1$/);
  });

  it('reads hops, address lists and the words true/false, and names TRUST_PROXY when the value is neither', () => {
    expect(loadConfig({}).trustProxy).to.equal(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).to.equal(0);
    // One hop, never "every hop", which would take the client's own left-most address.
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8 , fd00::/8,loopback ' }).trustProxy).to.deep.equal([
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
    for (const wrong of ['yes', '10.0.0.0/33', '10.0.0.300', '-1', 'proxy.example'])
      expect(() => loadConfig({ TRUST_PROXY: wrong }), wrong)
        .to.throw(ConfigError, /^Configuration error: TRUST_PROXY must be a number of proxy hops/)
        .with.property('variable', 'TRUST_PROXY');
  });
});
