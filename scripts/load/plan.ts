import type { mongo, Types } from 'mongoose';
import { offsetMs } from './time.js';

type Db = mongo.Db;
type ObjectId = Types.ObjectId;

/**
 * The shape of the generated load, read from the directory already in the database (the demo's, or any other):
 * which units receive tickets and survey answers and how many, how good each is, who works there and who handles
 * its tickets. Units with services are service points; their volume follows their population of service users.
 */
export type Quality = 'A' | 'B' | 'C';

export interface PlanService {
  code: string;
  name: string;
  targetWaitMinutes: number;
}

export interface Staff {
  userId: ObjectId | null;
  name: string;
}

export interface PlanOfficer {
  _id: ObjectId;
  nip: string;
  name: string;
}

export interface PlanUnit {
  _id: ObjectId;
  code: string;
  name: string;
  kind: string;
  path: ObjectId[];
  agencyCode: string;
  timeZone: string;
  offset: number;
  weight: number;
  quality: Quality;
  /** Sigma of the log-normal waiting time: heavier tails for hospitals and civil registration. */
  waitSigma: number;
  /** Multiplier on the service's target waiting time for the median wait. */
  waitFactor: number;
  services: PlanService[];
  counters: { code: string; name: string }[];
  officers: PlanOfficer[];
  head: Staff;
  handler: Staff;
}

export interface Plan {
  units: PlanUnit[];
  byId: Map<string, PlanUnit>;
  /** The officer whose record gets the fixed number of feed items (printed, used by the bench). */
  chosen: { officer: PlanOfficer; unit: PlanUnit };
}

/** Known demo units get a fixed character; other units one derived from their code. */
const qualityOf: Record<string, Quality> = {
  'JAMBI-PKM-PUTRIAYU': 'A',
  'JAMBI-DPMPTSP': 'A',
  'SWL-DPMPTSP': 'A',
  'AMB-PKM-RIJALI': 'A',
  'JAMBI-RSUD': 'C',
  'AMB-DUKCAPIL': 'C',
  'SWL-RSUD': 'C',
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface UnitRow {
  _id: ObjectId;
  code: string;
  name: string;
  kind: string;
  path: ObjectId[];
  agencyCode: string;
  timeZone: string;
  population: number | null;
  active: boolean;
  services: { code: string; name: string; targetWaitMinutes: number | null; active: boolean }[];
  counters: { code: string; name: string }[];
}

interface UserRow {
  _id: ObjectId;
  name: string;
  officerNip?: string | null;
  grants: { role: string; unitId: ObjectId | null }[];
}

export async function loadPlan(db: Db, options: { officerNip?: string } = {}): Promise<Plan> {
  const units = await db
    .collection<UnitRow>('units')
    .find({ active: { $ne: false } })
    .toArray();
  const officers = await db
    .collection<PlanOfficer & { unitId: ObjectId; active?: boolean }>('officers')
    .find({ active: { $ne: false } }, { projection: { nip: 1, name: 1, unitId: 1 } })
    .sort({ nip: 1 })
    .toArray();
  const users = await db
    .collection<UserRow>('users')
    .find({}, { projection: { name: 1, grants: 1, officerNip: 1 } })
    .toArray();
  const admin = users.find((user) => user.grants.some((grant) => grant.role === 'admin'));
  const staffWith = (role: string, unitId: ObjectId) =>
    users.find((user) => user.grants.some((grant) => grant.role === role && String(grant.unitId) === String(unitId)));
  const asStaff = (user: UserRow | undefined): Staff | undefined =>
    user ? { userId: user._id, name: user.name } : undefined;
  const fallback: Staff = asStaff(admin) ?? { userId: null, name: 'Admin' };

  const planned: PlanUnit[] = [];
  for (const unit of units) {
    const services = unit.services
      .filter((service) => service.active !== false)
      .map((service) => ({
        code: service.code,
        name: service.name,
        targetWaitMinutes: service.targetWaitMinutes ?? 30,
      }));
    if (!services.length) continue;
    // The head of the unit, or of the nearest unit above it that has one.
    let head: Staff | undefined;
    for (const id of [...unit.path].reverse()) {
      head = asStaff(staffWith('unit_head', id));
      if (head) break;
    }
    head ??= fallback;
    const heavy = unit.kind === 'rsud' || unit.code.includes('DUKCAPIL');
    const quality = qualityOf[unit.code] ?? (['A', 'B', 'B', 'C'] as const)[hash(unit.code) % 4]!;
    planned.push({
      _id: unit._id,
      code: unit.code,
      name: unit.name,
      kind: unit.kind,
      path: unit.path,
      agencyCode: unit.agencyCode,
      timeZone: unit.timeZone,
      offset: offsetMs(unit.timeZone),
      weight: unit.population ?? 5000,
      quality,
      waitSigma: heavy ? 0.85 : 0.5,
      waitFactor: quality === 'A' ? 0.8 : quality === 'B' ? 1.1 : 1.7,
      services,
      counters: unit.counters,
      officers: officers
        .filter((officer) => String(officer.unitId) === String(unit._id))
        .map(({ _id, nip, name }) => ({ _id, nip, name })),
      head,
      handler: asStaff(staffWith('handler', unit._id)) ?? head,
    });
  }
  if (!planned.length) throw new Error('the directory has no unit with services: load the demo first');
  planned.sort((a, b) => a.code.localeCompare(b.code));

  // The chosen officer: the one asked for, else the one with a sign-in account (the demo's pegawai@), else the
  // first officer of the busiest unit that has officers.
  const linkedNip = users.find((user) => user.officerNip)?.officerNip ?? undefined;
  const wanted = options.officerNip ?? linkedNip;
  let chosen: Plan['chosen'] | undefined;
  for (const unit of planned) {
    const officer = unit.officers.find((candidate) => candidate.nip === wanted);
    if (officer) chosen = { officer, unit };
  }
  if (options.officerNip && !chosen) throw new Error(`no officer ${options.officerNip} in a unit with services`);
  if (!chosen) {
    const unit = [...planned].filter((u) => u.officers.length).sort((a, b) => b.weight - a.weight)[0];
    if (!unit) throw new Error('the directory has no officers');
    chosen = { officer: unit.officers[0]!, unit };
  }
  return { units: planned, byId: new Map(planned.map((unit) => [String(unit._id), unit])), chosen };
}
