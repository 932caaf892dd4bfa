import { unitIdsUnder } from '../../directory/index.js';
import { kiosksAt } from '../../kiosks/index.js';
import { INTEGRITY_RULES, kioskAnswerFigures } from '../../surveys/index.js';
import type { Period } from '../shared/period.js';

/**
 * The counter kiosks' own integrity figures beside the IKM: per kiosk of the unit (and its subtree), its answers in
 * the period, how many came too soon after the previous one, how many outside opening hours, and the share that
 * are all-top, marked when it reaches the rule's share over enough answers (surveys/integrity.ts).
 */
export async function kioskFiguresFor(period: Pick<Period, 'unit' | 'from' | 'to' | 'serviceCode' | 'subtree'>) {
  const unitIds = period.subtree ? await unitIdsUnder([String(period.unit._id)]) : [period.unit._id];
  const kiosks = await kiosksAt(unitIds);
  if (kiosks.length === 0) return [];
  const figures = new Map(
    (
      await kioskAnswerFigures(
        kiosks.map((kiosk) => kiosk.id),
        period.from,
        period.to,
        period.serviceCode,
      )
    ).map((row) => [row.kioskId, row]),
  );
  return kiosks
    .filter((kiosk) => figures.has(kiosk.id))
    .map((kiosk) => {
      const row = figures.get(kiosk.id)!;
      const share = row.answers ? row.allTop / row.answers : 0;
      return {
        id: kiosk.id,
        label: `${kiosk.unitCode}${kiosk.counter ? ` · ${kiosk.counter}` : ''} (${kiosk.prefix}…)`,
        active: kiosk.active,
        answers: row.answers,
        paced: row.paced,
        outsideHours: row.outsideHours,
        allTop: row.allTop,
        allTopPercent: Math.round(share * 100),
        allTopHigh: row.answers >= INTEGRITY_RULES.kioskTopShareMin && share >= INTEGRITY_RULES.kioskTopShareAt,
      };
    });
}
