import type { Types } from 'mongoose';
import { INTEGRITY_RULES } from '../../src/modules/surveys/integrity.js';
import type { Ids } from './ids.js';
import type { Plan, PlanUnit, Quality } from './plan.js';
import { Random, Weighted } from './random.js';
import { surveyComments } from './text.js';
import type { Calendar } from './time.js';

type ObjectId = Types.ObjectId;

/**
 * One generated survey answer (SKM), shaped exactly as the SurveyResponse model stores it
 * (src/modules/surveys/model.ts). Element means follow the unit's quality (some units grade A, some C): waiting
 * time and complaint handling score lowest, fees highest (most services are free).
 */
const baseMeans: Record<Quality, number[]> = {
  A: [3.62, 3.58, 3.42, 3.85, 3.6, 3.62, 3.66, 3.48, 3.52],
  B: [3.28, 3.22, 2.98, 3.72, 3.3, 3.3, 3.34, 3.08, 3.12],
  C: [2.85, 2.78, 2.42, 3.45, 2.9, 2.88, 2.86, 2.6, 2.58],
};

const genders = new Weighted([
  ['female', 54],
  ['male', 46],
] as const);
const ageBands = new Weighted([
  ['under_20', 6],
  ['20_29', 24],
  ['30_39', 28],
  ['40_49', 21],
  ['50_59', 14],
  ['60_plus', 7],
] as const);
const educations = new Weighted([
  ['sd', 8],
  ['smp', 13],
  ['sma', 42],
  ['d1_d3', 11],
  ['d4_s1', 22],
  ['s2', 3.5],
  ['s3', 0.5],
] as const);
const occupations = new Weighted([
  ['civil_servant', 9],
  ['military', 1.5],
  ['police', 1.5],
  ['private_employee', 28],
  ['self_employed', 25],
  ['student', 12],
  ['other', 23],
] as const);

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Each unit's nine element means: its quality's, shifted a little per unit and element. */
export function elementMeans(unit: PlanUnit): number[] {
  const h = hash(unit.code);
  return baseMeans[unit.quality].map((mean, element) => mean + (((h >>> element) & 7) - 3.5) * 0.02);
}

export interface SurveyContext {
  plan: Plan;
  calendar: Calendar;
  now: number;
  ids: Ids;
  units: Weighted<PlanUnit>;
  means: Map<PlanUnit, number[]>;
}

export function surveyContext(plan: Plan, calendar: Calendar, now: number, ids: Ids): SurveyContext {
  return {
    plan,
    calendar,
    now,
    ids,
    units: new Weighted(plan.units.map((unit) => [unit, unit.weight] as const)),
    means: new Map(plan.units.map((unit) => [unit, elementMeans(unit)])),
  };
}

const clampAnswer = (random: Random, value: number) => {
  const x = Math.min(4, Math.max(1, value));
  const floor = Math.floor(x);
  return Math.min(4, floor + (random.next() < x - floor ? 1 : 0));
};

export function makeSurvey(context: SurveyContext, random: Random, chosen: boolean): Record<string, unknown> {
  const unit = chosen ? context.plan.chosen.unit : context.units.draw(random);
  const means = context.means.get(unit)!;
  const service = random.chance(0.9) ? (random.chance(0.5) ? unit.services[0]! : random.pick(unit.services)) : null;
  const counter = unit.counters.length && random.chance(0.6) ? random.pick(unit.counters) : null;
  let officerId: ObjectId | null = null;
  if (chosen) officerId = context.plan.chosen.officer._id;
  else if (random.chance(0.15)) {
    const others = unit.officers.filter((officer) => officer._id !== context.plan.chosen.officer._id);
    if (others.length) officerId = random.pick(others)._id;
  }
  // A respondent's mood moves all nine answers together; each element then varies on its own.
  const mood = random.normal() * 0.3;
  const answers = means.map((mean) => clampAnswer(random, mean + mood + random.normal() * 0.42));
  let { at } = context.calendar.surveyInstant(random, unit.offset);
  if (at > context.now) at = context.now - random.int(3600_000);
  const wall = new Date(at + unit.offset);
  const channel = random.chance(0.85) ? 'form' : 'api';
  const secondsToComplete = channel === 'form' ? Math.max(8, Math.round(random.logNormal(80, 0.45))) : null;
  const allTop = answers.every((answer) => answer === 4);
  const fresh = random.chance(0.04);
  const unitBurst = random.chance(0.9) ? random.int(3) : random.int(12);
  const sameNetwork = random.chance(0.95) ? random.int(2) : random.int(7);
  const sameDevice = random.chance(0.99) ? 0 : 1;
  const flags: string[] = [];
  if (fresh) flags.push('fresh_device');
  if (secondsToComplete !== null && secondsToComplete < INTEGRITY_RULES.fastSeconds) flags.push('too_fast');
  if (allTop) flags.push('all_top');
  if (unitBurst >= INTEGRITY_RULES.burstAt) flags.push('burst');
  if (sameNetwork >= INTEGRITY_RULES.sameNetworkAt) flags.push('same_network');
  if (sameDevice > 0) flags.push('repeat_device');
  return {
    _id: context.ids.at(at),
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    serviceCode: service?.code ?? null,
    counterCode: counter?.code ?? null,
    officerId,
    answers,
    respondent: {
      gender: genders.draw(random),
      ageBand: ageBands.draw(random),
      education: educations.draw(random),
      occupation: occupations.draw(random),
    },
    comment: random.chance(0.12) ? random.pick(surveyComments) : null,
    channel,
    kioskId: null,
    submittedAt: new Date(at),
    idempotencyKey: null,
    integrity: {
      deviceHash: random.hex(64),
      networkHash: random.hex(64),
      localHour: wall.getUTCHours(),
      localWeekday: wall.getUTCDay() || 7,
      withinOpeningHours: null,
      secondsToComplete,
      allTop,
      unitBurst,
      sameNetwork,
      sameDevice,
      kioskGapSeconds: null,
      kioskRecent: null,
      kioskRecentAllTop: null,
      flags,
    },
  };
}
