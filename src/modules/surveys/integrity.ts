import { utcOffsetMs } from '../../platform/calendar.js';
import { isOpenAt, type OpeningHours } from '../directory/index.js';
import type { IntegrityFlag } from './model.js';

/**
 * Integrity evidence for one survey answer (docs/domain.md#gaming-the-index). A unit judged by its IKM may
 * fill in its own surveys from a counter tablet or staff phones; none of these signals proves that, so nothing
 * here refuses or drops an answer. Each response keeps the raw evidence plus flags, and the share of flagged answers
 * is shown beside the IKM for people to judge. Pure: the service gathers the counts and passes them in.
 */
export const INTEGRITY_RULES = {
  /** A person needs longer than this to read nine questions and a profile, even on a second visit. */
  fastSeconds: 15,
  /** `burst`: this many earlier answers for the unit within the window. */
  burstWindowMinutes: 5,
  burstAt: 10,
  /** `same_network`: this many earlier answers for the unit from one network (IP, or IPv6 /64) within the hour. */
  sameNetworkWindowMinutes: 60,
  sameNetworkAt: 5,
  /** `repeat_device`: the device answered the unit before (another service) within this many hours. */
  sameDeviceWindowHours: 24,
  /** `kiosk_pace`: a kiosk's answer this soon after its previous one (nine questions take a new person longer). */
  kioskPaceSeconds: 30,
  /** `kiosk_top_share`: of a kiosk's answers within the window (this one included), at least `kioskTopShareMin`
   * answers and at least this share all-top. */
  kioskShareWindowHours: 24,
  kioskTopShareMin: 10,
  kioskTopShareAt: 0.8,
} as const;

export interface IntegrityInput {
  answers: readonly number[];
  submittedAt: Date;
  timeZone: string;
  /** The unit's opening hours as the directory keeps them (weekly pattern and exceptions); null when unknown. */
  openingHours?: OpeningHours | null;
  device: { hash: string; fresh: boolean };
  networkHash: string | null;
  /** For the HTML form: when the signed hidden field says the form was rendered (null if missing or forged). */
  form: { renderedAt: Date | null } | null;
  counts: { unitBurst: number; sameNetwork: number; sameDevice: number };
  /**
   * A counter kiosk's answer: the device is the agency's tablet, so the device and network rules say nothing about
   * it; the kiosk's own pace and all-top share do. `previousAt` is the kiosk's previous answer; `recent` and
   * `recentAllTop` count its earlier answers within the share window.
   */
  kiosk?: { previousAt: Date | null; recent: number; recentAllTop: number } | null;
}

export interface Integrity {
  deviceHash: string;
  networkHash: string | null;
  localHour: number;
  localWeekday: number;
  withinOpeningHours: boolean | null;
  secondsToComplete: number | null;
  allTop: boolean;
  unitBurst: number;
  sameNetwork: number;
  sameDevice: number;
  kioskGapSeconds: number | null;
  kioskRecent: number | null;
  kioskRecentAllTop: number | null;
  flags: IntegrityFlag[];
}

/** Hour, minute and ISO weekday (1 = Monday) of an instant on the wall in a time zone. */
export function localTime(at: Date, timeZone: string): { hour: number; minute: number; weekday: number } {
  const wall = new Date(at.getTime() + utcOffsetMs(at, timeZone));
  return { hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), weekday: wall.getUTCDay() || 7 };
}

/** Whether the unit served at that instant, by the directory's one rule (exceptions first, then the week). */
export function withinOpeningHours(at: Date, timeZone: string, hours: OpeningHours): boolean {
  return isOpenAt({ timeZone, openingHours: hours }, at) ?? true;
}

export function integrityOf(input: IntegrityInput): Integrity {
  const local = localTime(input.submittedAt, input.timeZone);
  const within = input.openingHours ? withinOpeningHours(input.submittedAt, input.timeZone, input.openingHours) : null;
  const renderedAt = input.form?.renderedAt ?? null;
  const secondsToComplete = renderedAt
    ? Math.max(0, Math.round((input.submittedAt.getTime() - renderedAt.getTime()) / 1000))
    : null;
  const allTop = input.answers.every((answer) => answer === 4);
  const { unitBurst, sameNetwork, sameDevice } = input.counts;

  const kiosk = input.kiosk ?? null;
  const kioskGapSeconds = kiosk?.previousAt
    ? Math.max(0, Math.round((input.submittedAt.getTime() - kiosk.previousAt.getTime()) / 1000))
    : null;
  const kioskRecent = kiosk ? kiosk.recent + 1 : null;
  const kioskRecentAllTop = kiosk ? kiosk.recentAllTop + (allTop ? 1 : 0) : null;

  const flags: IntegrityFlag[] = [];
  if (input.device.fresh && !kiosk) flags.push('fresh_device');
  if (input.form && !renderedAt) flags.push('no_form_token');
  if (secondsToComplete !== null && secondsToComplete < INTEGRITY_RULES.fastSeconds) flags.push('too_fast');
  if (allTop) flags.push('all_top');
  if (unitBurst >= INTEGRITY_RULES.burstAt) flags.push('burst');
  if (sameNetwork >= INTEGRITY_RULES.sameNetworkAt && !kiosk) flags.push('same_network');
  if (sameDevice > 0 && !kiosk) flags.push('repeat_device');
  if (within === false) flags.push('outside_hours');
  if (kioskGapSeconds !== null && kioskGapSeconds < INTEGRITY_RULES.kioskPaceSeconds) flags.push('kiosk_pace');
  if (
    kioskRecent !== null &&
    kioskRecentAllTop !== null &&
    kioskRecent >= INTEGRITY_RULES.kioskTopShareMin &&
    kioskRecentAllTop / kioskRecent >= INTEGRITY_RULES.kioskTopShareAt
  )
    flags.push('kiosk_top_share');

  return {
    deviceHash: input.device.hash,
    networkHash: input.networkHash,
    localHour: local.hour,
    localWeekday: local.weekday,
    withinOpeningHours: within,
    secondsToComplete,
    allTop,
    unitBurst,
    sameNetwork,
    sameDevice,
    kioskGapSeconds,
    kioskRecent,
    kioskRecentAllTop,
    flags,
  };
}
