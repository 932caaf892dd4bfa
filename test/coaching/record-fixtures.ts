import request from 'supertest';
import type { Express } from 'express';
import type { Actor } from '../../src/platform/access.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { eventsSettled } from '../../src/platform/events.js';
import { Officer } from '../../src/modules/directory/model.js';
import { PASSWORD } from '../helpers/app.js';
import { signedIn, type Signed } from '../helpers/admin.js';
import { resetRateLimits } from '../helpers/db.js';

/** Siti Rahmawati (Puskesmas Kebun Handil) and Budi Santoso (Puskesmas Putri Ayu), from seedDirectory(). */
export const SITI = '198503152010012001';
export const BUDI = '199001012015031002';
export const JOHANIS = '198807202012121001';

/** The coaching accounts the record specs need, on top of seedDirectory()'s heads and handler. */
export async function seedCoachingAccounts(admin: Actor) {
  const account = (email: string, role: string, unitCode: string, officerNip?: string) =>
    createUser(admin, { email, name: email.split('@')[0], password: PASSWORD, role, unitCode, officerNip });
  await account('pembina.dinkes@suara.test', 'coach', 'JAMBI-DINKES');
  await account('pembina.ambon@suara.test', 'coach', 'AMBON');
  await account('kepala.putriayu@suara.test', 'unit_head', 'PKM-PUTRIAYU');
  await account('siti@suara.test', 'officer', 'PKM-KEBUNHANDIL', SITI);
  await account('budi@suara.test', 'officer', 'PKM-PUTRIAYU', BUDI);
}

export { signedIn, type Signed };

export const officerRef = async (nip: string) => (await Officer.findOne({ nip }).lean())!.ref;

/** Files a ticket as a citizen would, naming the officer by the public reference. */
export async function fileTicket(app: Express, extra: Record<string, unknown> = {}): Promise<string> {
  await resetRateLimits(); // these specs file more than one person would in a minute
  const { body } = await request(app)
    .post('/api/v1/tickets')
    .send({
      kind: 'complaint',
      unitCode: 'PKM-KEBUNHANDIL',
      category: 'officer_conduct',
      description: 'Petugas pendaftaran berkata kasar kepada ibu saya. Hubungi saya 081298765432.',
      reporter: { name: 'Rahmat Hidayat', email: 'rahmat@contoh.id', phone: '081298765432' },
      privacy: 'anonymous',
      consent: true,
      ...extra,
    })
    .expect(201);
  return body.code as string;
}

export async function revisionOf(head: Signed, code: string): Promise<number> {
  return (await head.agent.get(`/api/v1/tickets/${code}`).expect(200)).body.ticket.revision;
}

export async function act(head: Signed, code: string, body: Record<string, unknown>, status = 200) {
  const revision = await revisionOf(head, code);
  return head.agent
    .patch(`/api/v1/tickets/${code}`)
    .set('X-CSRF-Token', head.csrf)
    .send({ revision, ...body })
    .expect(status);
}

/** A complaint naming the officer, verified, with a finding recorded by the unit head; returns the finding's id. */
export async function complaintWithFinding(
  app: Express,
  head: Signed,
  nip: string,
  outcome: string,
  options: { unitCode?: string; category?: string; note?: string } = {},
): Promise<{ code: string; findingId: string }> {
  const code = await fileTicket(app, {
    officerRef: await officerRef(nip),
    unitCode: options.unitCode ?? 'PKM-KEBUNHANDIL',
    category: options.category ?? 'officer_conduct',
  });
  await act(head, code, { action: 'verify' });
  const view = (
    await head.agent
      .post(`/api/v1/tickets/${code}/findings`)
      .set('X-CSRF-Token', head.csrf)
      .send({
        revision: await revisionOf(head, code),
        officerNip: nip,
        outcome,
        note: options.note ?? 'Terbukti dari rekaman CCTV.',
      })
      .expect(201)
  ).body;
  const officerId = String((await Officer.findOne({ nip }).lean())!._id);
  const finding = view.findings.find((candidate: { officerId: string }) => candidate.officerId === officerId);
  await eventsSettled();
  return { code, findingId: finding.id as string };
}

/** An SKM answer naming the officer, with the competence (6th) and conduct (7th) answers given. */
export async function surveyNaming(
  app: Express,
  nip: string,
  competence: number,
  conduct: number,
  unitCode = 'PKM-KEBUNHANDIL',
): Promise<void> {
  const answers = [3, 3, 3, 3, 3, competence, conduct, 3, 3];
  await resetRateLimits();
  await request(app)
    .post('/api/v1/surveys')
    .send({
      unitCode,
      officerRef: await officerRef(nip),
      answers,
      respondent: { gender: 'female', ageBand: '30_39', education: 'sma', occupation: 'self_employed' },
    })
    .expect(201);
  await eventsSettled();
}

export const record = async (who: Signed, nip: string, query = '', status = 200) =>
  (await who.agent.get(`/api/v1/officers/${nip}/record${query}`).expect(status)).body;
