import request from 'supertest';
import type { Express } from 'express';
import { Officer } from '../../src/modules/directory/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { SITI, signedIn, type Signed } from './record-fixtures.js';

export { BUDI, JOHANIS, SITI, type Signed } from './record-fixtures.js';

/**
 * The directory of test/helpers/app.ts plus the people of the coaching-work specs: a coach on Dinas Kesehatan Jambi
 * (both puskesmas below it), a coach on Ambon and Siti's own officer account (Budi has none: the reminder specs need
 * an officer without one), and a way to sign in as any of them or the existing heads and handler.
 */
export async function coachingWorld() {
  const app = await testApp();
  const { admin } = await seedDirectory();
  const people = [
    { email: 'pembina.dinkes@suara.test', name: 'Pembina Dinkes', role: 'coach', unitCode: 'JAMBI-DINKES' },
    { email: 'pembina.ambon@suara.test', name: 'Pembina Ambon', role: 'coach', unitCode: 'AMBON' },
    {
      email: 'siti@suara.test',
      name: 'Siti Rahmawati',
      role: 'officer',
      unitCode: 'PKM-KEBUNHANDIL',
      officerNip: SITI,
    },
  ];
  for (const person of people) await createUser(admin, { ...person, password: PASSWORD });
  const as = (email: string): Promise<Signed> => signedIn(app, email);
  return { app, admin, as };
}

/** Files a complaint naming the officer, verifies it and records a finding through the real API. */
export async function findingAbout(
  app: Express,
  head: Signed,
  nip: string,
  outcome: 'substantiated' | 'partially_substantiated' | 'not_substantiated',
  category = 'officer_conduct',
  unitCode = 'PKM-KEBUNHANDIL',
): Promise<string> {
  const officer = (await Officer.findOne({ nip }).lean())!;
  const { body } = await request(app)
    .post('/api/v1/tickets')
    .send({
      kind: 'complaint',
      unitCode,
      category,
      officerRef: officer.ref,
      description: 'Petugas loket tidak melayani dengan baik dan membuat antrean tertahan lama sekali.',
      reporter: { name: 'Warga', email: 'warga@contoh.id' },
      privacy: 'anonymous',
      consent: true,
    })
    .expect(201);
  const code = body.code as string;
  const view = (await head.agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
  const verified = (
    await head.agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', head.csrf)
      .send({ revision: view.ticket.revision, action: 'verify' })
      .expect(200)
  ).body;
  await head.agent
    .post(`/api/v1/tickets/${code}/findings`)
    .set('X-CSRF-Token', head.csrf)
    .send({ revision: verified.ticket.revision, officerNip: nip, outcome, note: 'Dicek.' })
    .expect(201);
  return code;
}

/** Files a complaint naming the officer without any finding (an allegation only). */
export async function complaintAbout(app: Express, nip: string, category = 'officer_conduct'): Promise<string> {
  const officer = (await Officer.findOne({ nip }).lean())!;
  const { body } = await request(app)
    .post('/api/v1/tickets')
    .send({
      kind: 'complaint',
      unitCode: 'PKM-KEBUNHANDIL',
      category,
      officerRef: officer.ref,
      description: 'Petugas loket tidak ramah kepada pasien lansia pagi tadi di loket pendaftaran.',
      reporter: { name: 'Warga Lain', email: 'warga.lain@contoh.id' },
      privacy: 'anonymous',
      consent: true,
    })
    .expect(201);
  return body.code as string;
}

/** A local date n days from today on the WIB wall clock. */
export function wibDate(days = 0): string {
  return new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
