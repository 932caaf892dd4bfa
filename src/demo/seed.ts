import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { logger } from '../platform/logger.js';
import { User } from '../modules/accounts/model.js';
import { createUser } from '../modules/accounts/service.js';
import { hashPassword, toActor } from '../modules/accounts/actors.js';
import type { Actor, Role } from '../platform/access.js';
import { Officer, Unit } from '../modules/directory/model.js';
import { createOfficer, createUnit, saveCounter, saveService } from '../modules/directory/service.js';
import { rebuildRecords } from '../modules/coaching/index.js';
import { rollupsSettledThenRebuild } from '../modules/analytics/index.js';
import { seedDemoActivity } from './activity.js';
import { seedDemoCoaching } from './coaching.js';
import { demoAgencies, demoOfficers, demoStaffOfficers, servicesFor, type DemoUnit } from './data.js';

export interface DemoAccount {
  email: string;
  password: string;
  role: Role;
  unitCode: string | null;
  /** The officer the account is linked to (unit heads, the handler, the officer of record). */
  officerNip?: string;
}

export async function databaseIsEmpty(): Promise<boolean> {
  const [units, users] = await Promise.all([Unit.estimatedDocumentCount(), User.estimatedDocumentCount()]);
  return units === 0 && users === 0;
}

/**
 * Loads the demo (three agencies, their units and services, about 60 officers, one account per role and a head for
 * every unit) through the same services the admin pages use, and writes the sign-in accounts to
 * DATA_DIR/demo-accounts.json. The caller makes sure the database is empty (or was told to --force).
 */
export async function seedDemo(config: Config): Promise<{ accounts: DemoAccount[]; file: string }> {
  const password = config.demoPassword ?? `Suara-${randomBytes(6).toString('base64url')}`;
  const accounts: DemoAccount[] = [];
  const adminEmail = 'admin@suara.test';
  const admin = await User.findOneAndUpdate(
    { email: adminEmail },
    {
      $set: {
        name: 'Admin Suara',
        passwordHash: await hashPassword(password),
        grants: [{ role: 'admin', unitId: null, unitCode: null }],
      },
    },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  accounts.push({ email: adminEmail, password, role: 'admin', unitCode: null });
  const system = toActor(admin!);

  const addUnit = async (unit: DemoUnit, parentCode: string | null, timeZone?: string) => {
    if (!(await Unit.exists({ code: unit.code })))
      await createUnit(system, {
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        parentCode,
        timeZone,
        population: unit.population,
      });
    for (const service of servicesFor(unit)) await saveService(system, unit.code, service);
    for (const [index, name] of (unit.counters ?? []).entries())
      await saveCounter(system, unit.code, { code: `L${index + 1}`, name });
    for (const child of unit.children ?? []) await addUnit(child, unit.code);
  };
  for (const agency of demoAgencies) await addUnit(agency, null, agency.timeZone);

  for (const officer of demoOfficers()) {
    if (!(await Officer.exists({ nip: officer.nip }))) await createOfficer(system, officer);
  }
  // Heads and the handler are officers of their unit too: the conflict-of-interest guard knows them by this link.
  const staffOfficers = demoStaffOfficers();
  for (const { email: _email, ...officer } of staffOfficers) {
    if (!(await Officer.exists({ nip: officer.nip }))) await createOfficer(system, officer);
  }
  const nipOf = (email: string) => staffOfficers.find((person) => person.email === email)?.nip;

  const account = async (email: string, name: string, role: Role, unitCode: string | null, officerNip?: string) => {
    if (!(await User.exists({ email })))
      await createUser(system, { email, name, password, role, unitCode, officerNip });
    else await User.updateOne({ email }, { $set: { passwordHash: await hashPassword(password) } });
    accounts.push({ email, password, role, unitCode, ...(officerNip ? { officerNip } : {}) });
    return toActor((await User.findOne({ email }).lean())!);
  };
  const heads = new Map<string, Actor>();
  const walk = async (unit: DemoUnit) => {
    if (unit.head)
      heads.set(
        unit.code,
        await account(unit.head.email, unit.head.name, 'unit_head', unit.code, nipOf(unit.head.email)),
      );
    for (const child of unit.children ?? []) await walk(child);
  };
  for (const agency of demoAgencies) await walk(agency);
  const officerOfRecord = demoOfficers().find((officer) => officer.unitCode === 'JAMBI-PKM-KEBUNHANDIL')!;
  const handlerEmail = 'petugas.kebunhandil@suara.test';
  const handler = await account(handlerEmail, 'Rina Marlina', 'handler', 'JAMBI-PKM-KEBUNHANDIL', nipOf(handlerEmail));
  await account('pembina.bkd@suara.test', 'Drs. Hendra Saputra', 'coach', 'JAMBI');
  await account('pegawai@suara.test', officerOfRecord.name, 'officer', officerOfRecord.unitCode, officerOfRecord.nip);
  await account('inspektorat@suara.test', 'Inspektorat Provinsi Jambi', 'viewer', 'JAMBI');

  await seedDemoActivity(config, heads, handler);
  await seedDemoCoaching();

  await rebuildRecords(); // the demo loads before the record's subscribers listen: fill the records from the sources
  await rollupsSettledThenRebuild(); // likewise the analytics rollups (after any live update still in flight)
  await mkdir(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'demo-accounts.json');
  await writeFile(file, JSON.stringify(accounts, null, 2) + '\n', { mode: 0o600 });
  logger.info({ accounts: accounts.length, file }, 'demo data loaded');
  return { accounts, file };
}

/** On the embedded database's first start: load the demo when there is nothing yet; otherwise leave it alone. */
export async function loadDemoIfEmpty(config: Config) {
  if (!(await databaseIsEmpty())) return undefined;
  return seedDemo(config);
}
