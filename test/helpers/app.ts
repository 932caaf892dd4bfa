import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import type { Role } from '../../src/platform/access.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { hashPassword, toActor } from '../../src/modules/accounts/actors.js';
import { User } from '../../src/modules/accounts/model.js';
import { createOfficer, createUnit, saveCounter, saveService } from '../../src/modules/directory/service.js';

export const PASSWORD = 'rahasia-sekali-123';

export async function testApp(env: Record<string, string> = {}): Promise<Express> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-test-data-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env });
  await ensureReferenceData();
  return createApp({ config, sessionSecret: 'test-secret-'.padEnd(40, 'x') });
}

/**
 * A small directory: Provinsi Jambi (WIB) → Dinas Kesehatan → two puskesmas; Kota Ambon (WIT) → Disdukcapil.
 * One platform admin, an admin of Jambi only, and a head for Dinas Kesehatan and for Puskesmas Kebun Handil.
 */
export async function seedDirectory() {
  const root = await User.create({
    email: 'root@suara.test',
    name: 'Root',
    passwordHash: await hashPassword(PASSWORD),
    grants: [{ role: 'admin', unitId: null }],
  });
  const admin = toActor(root);
  await createUnit(admin, { code: 'JAMBI', name: 'Pemerintah Provinsi Jambi', timeZone: 'Asia/Jakarta' });
  await createUnit(admin, {
    code: 'JAMBI-DINKES',
    name: 'Dinas Kesehatan Provinsi Jambi',
    kind: 'dinas',
    parentCode: 'JAMBI',
  });
  await createUnit(admin, {
    code: 'PKM-KEBUNHANDIL',
    name: 'Puskesmas Kebun Handil',
    kind: 'puskesmas',
    parentCode: 'JAMBI-DINKES',
  });
  await createUnit(admin, {
    code: 'PKM-PUTRIAYU',
    name: 'Puskesmas Putri Ayu',
    kind: 'puskesmas',
    parentCode: 'JAMBI-DINKES',
  });
  await createUnit(admin, { code: 'AMBON', name: 'Pemerintah Kota Ambon', timeZone: 'Asia/Jayapura' });
  await createUnit(admin, { code: 'AMB-DUKCAPIL', name: 'Disdukcapil Kota Ambon', kind: 'dinas', parentCode: 'AMBON' });
  await saveService(admin, 'PKM-KEBUNHANDIL', {
    code: 'POLI-UMUM',
    name: 'Pelayanan Poli Umum',
    targetWaitMinutes: 30,
    targetCompletionDays: 0,
  });
  await saveCounter(admin, 'PKM-KEBUNHANDIL', { code: 'L1', name: 'Loket Pendaftaran' });
  await createOfficer(admin, {
    nip: '198503152010012001',
    name: 'Siti Rahmawati',
    position: 'Perawat',
    unitCode: 'PKM-KEBUNHANDIL',
  });
  await createOfficer(admin, {
    nip: '199001012015031002',
    name: 'Budi Santoso',
    position: 'Bidan',
    unitCode: 'PKM-PUTRIAYU',
  });
  await createOfficer(admin, {
    nip: '198807202012121001',
    name: 'Johanis Tuanaya',
    position: 'Operator',
    unitCode: 'AMB-DUKCAPIL',
  });
  const account = (email: string, role: Role, unitCode: string) =>
    createUser(admin, { email, name: email.split('@')[0], password: PASSWORD, role, unitCode });
  await account('admin.jambi@suara.test', 'admin', 'JAMBI');
  await account('kepala.dinkes@suara.test', 'unit_head', 'JAMBI-DINKES');
  await account('kepala.kebunhandil@suara.test', 'unit_head', 'PKM-KEBUNHANDIL');
  await account('petugas@suara.test', 'handler', 'PKM-KEBUNHANDIL');
  return { admin };
}

/** Signs in through the JSON API; the agent keeps the session cookie. Returns the CSRF token. */
export async function signIn(agent: request.Agent, email: string, password = PASSWORD): Promise<string> {
  const response = await agent.post('/api/v1/auth/login').send({ email, password }).expect(200);
  return response.body.csrfToken as string;
}

/**
 * A citizen's public complaint about slow processing at Puskesmas Kebun Handil, filed through the JSON API as a phone
 * sends it; `extra` overrides any field. Answers the tracking code and the access token.
 */
export async function fileComplaint(
  app: Express,
  extra: Record<string, unknown> = {},
): Promise<{ code: string; accessToken: string }> {
  const { body } = await request(app)
    .post('/api/v1/tickets')
    .send({
      kind: 'complaint',
      unitCode: 'PKM-KEBUNHANDIL',
      category: 'slow_processing',
      description: 'Surat keterangan yang saya minta dua minggu lalu belum juga selesai dibuat oleh puskesmas.',
      privacy: 'public',
      consent: true,
      ...extra,
    })
    .expect(201);
  return { code: body.code as string, accessToken: body.accessToken as string };
}
