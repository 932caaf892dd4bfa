import { expect } from 'chai';
import type { Express } from 'express';
import { MongoClient } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import request from 'supertest';
import { User } from '../../src/modules/accounts/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { findOfficer } from '../../src/modules/directory/service.js';
import { countWrites, LOOKUP_TTL_MS } from '../../src/platform/shared-answers.js';
import { useTestClock } from '../helpers/clock.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';

/** A model of its own whose writes are counted. */
const probeSchema = new Schema({ key: { type: String, required: true }, n: { type: Number, default: 0 } });
const probeWrites = countWrites(probeSchema);
const Probe = mongoose.model('CountedProbe', probeSchema);

describe('Directory lookups kept between requests (accounts, sessions, units, officers)', () => {
  useTestDatabase();
  const time = useTestClock();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('counts every kind of write through the model, and no read', async () => {
    const writes: [string, () => Promise<unknown>][] = [
      ['create (save)', () => Probe.create({ key: 'a' })],
      ['insertMany', () => Probe.insertMany([{ key: 'b' }, { key: 'c' }])],
      ['updateOne', () => Probe.updateOne({ key: 'a' }, { $inc: { n: 1 } })],
      ['updateMany', () => Probe.updateMany({}, { $inc: { n: 1 } })],
      ['findOneAndUpdate', () => Probe.findOneAndUpdate({ key: 'b' }, { $inc: { n: 1 } })],
      ['replaceOne', () => Probe.replaceOne({ key: 'c' }, { key: 'c', n: 9 })],
      ['bulkWrite', () => Probe.bulkWrite([{ updateOne: { filter: { key: 'a' }, update: { $inc: { n: 1 } } } }])],
      ['findOneAndDelete', () => Probe.findOneAndDelete({ key: 'c' })],
      ['deleteOne', () => Probe.deleteOne({ key: 'b' })],
      ['deleteMany', () => Probe.deleteMany({})],
    ];
    for (const [name, write] of writes) {
      const before = probeWrites();
      await write();
      expect(probeWrites(), name).to.be.above(before);
    }
    const before = probeWrites();
    await Probe.find().lean();
    await Probe.findOne({ key: 'a' }).lean();
    await Probe.countDocuments();
    expect(probeWrites()).to.equal(before);
  });

  /** Signs in and returns the session cookie (and the CSRF token), after one request has read everything once. */
  async function signedIn(email: string) {
    const login = await request(app).post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    await request(app).get('/api/v1/auth/me').set('Cookie', cookie).expect(200);
    return { cookie, csrfToken: login.body.csrfToken as string };
  }
  const me = (cookie: string) => request(app).get('/api/v1/auth/me').set('Cookie', cookie);

  it('refuses a signed-out session at once, even to its old cookie', async () => {
    const { cookie, csrfToken } = await signedIn('petugas@suara.test');
    await request(app).post('/api/v1/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).expect(204);
    await me(cookie).expect(401);
  });

  it('refuses an account disabled in this process at once', async () => {
    const { cookie } = await signedIn('kepala.dinkes@suara.test');
    await User.updateOne({ email: 'kepala.dinkes@suara.test' }, { $set: { disabled: true } });
    try {
      await me(cookie).expect(401);
    } finally {
      await User.updateOne({ email: 'kepala.dinkes@suara.test' }, { $set: { disabled: false } });
    }
  });

  it('refuses an account another process disabled within the lookup time', async () => {
    const { cookie } = await signedIn('kepala.kebunhandil@suara.test');
    // Another client writes, as another process would: no count of this process moves.
    const other = await MongoClient.connect(process.env.TEST_MONGODB_URI!);
    try {
      const users = other.db(mongoose.connection.db!.databaseName).collection('users');
      await users.updateOne({ email: 'kepala.kebunhandil@suara.test' }, { $set: { disabled: true } });
      // Still served from what this process read: the change is not seen before the lookup time is up.
      await me(cookie).expect(200);
      time.advance(LOOKUP_TTL_MS);
      await me(cookie).expect(401);
    } finally {
      await other
        .db(mongoose.connection.db!.databaseName)
        .collection('users')
        .updateOne({ email: 'kepala.kebunhandil@suara.test' }, { $set: { disabled: false } });
      await other.close();
    }
  });

  it('gives every caller the same frozen officer, and a new one after a change through the model', async () => {
    const officer = await Officer.findOne({ active: true }).lean();
    const first = await findOfficer({ nip: officer!.nip });
    const again = await findOfficer({ nip: officer!.nip });
    expect(again).to.equal(first);
    expect(() => {
      (first as { name: string }).name = 'changed by a caller';
    }).to.throw(TypeError);
    expect(Object.isFrozen(first!.unitPath)).to.equal(true); // push may not throw: see shared-answers.test.ts
    try {
      (first!.unitPath as unknown[]).push('x');
    } catch {
      // refused: as expected
    }
    expect((await findOfficer({ nip: officer!.nip }))!.unitPath).to.have.length(officer!.unitPath.length);

    await Officer.updateOne({ _id: officer!._id }, { $set: { position: 'Kepala Seksi' } });
    expect((await findOfficer({ nip: officer!.nip }))!.position).to.equal('Kepala Seksi');
    await Officer.updateOne({ _id: officer!._id }, { $set: { active: false } });
    expect(await findOfficer({ nip: officer!.nip })).to.equal(null);
  });
});
