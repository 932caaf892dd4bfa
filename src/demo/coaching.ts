import { User } from '../modules/accounts/model.js';
import { toActor } from '../modules/accounts/actors.js';
import { Officer } from '../modules/directory/model.js';
import { localDate, addDays } from '../platform/calendar.js';
import {
  berakhlakValues,
  createSession,
  draftEvaluation,
  recordTraining,
  signEvaluation,
  updateEvaluation,
} from '../modules/coaching/index.js';

/**
 * The coaching work in the demo, for the officer behind pegawai@suara.test: a coaching session with one open
 * action, a training, and a signed evaluation of the previous quarter — written by the demo coach
 * (pembina.bkd@suara.test) through the same services as the pages.
 */
export async function seedDemoCoaching(): Promise<void> {
  const [coachUser, officerUser] = await Promise.all([
    User.findOne({ email: 'pembina.bkd@suara.test' }).lean(),
    User.findOne({ email: 'pegawai@suara.test' }).lean(),
  ]);
  if (!coachUser || !officerUser?.officerNip) return;
  const officer = await Officer.findOne({ nip: officerUser.officerNip }).lean();
  if (!officer) return;
  const coach = toActor(coachUser);
  const nip = officer.nip;
  const today = localDate(new Date(), 'Asia/Jakarta');

  await createSession(coach, nip, {
    date: addDays(today, -7),
    notes: 'Membahas antrean pagi di loket pendaftaran dan cara menjelaskan rujukan BPJS kepada pasien lansia.',
    actions: [
      { text: 'Menyusun papan informasi alur rujukan BPJS di loket', owner: 'officer', dueDate: addDays(today, 14) },
      { text: 'Mengamati pelayanan loket satu pagi dan memberi masukan', owner: 'coach', dueDate: addDays(today, -2) },
    ],
  });

  const year = Number(today.slice(0, 4));
  await recordTraining(coach, nip, {
    title: 'Pelatihan Pelayanan Prima',
    provider: 'BPSDM Provinsi Jambi',
    startDate: `${year}-02-10`,
    endDate: `${year}-02-12`,
    jp: 24,
  });

  // The previous quarter's evaluation, rated and signed.
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  const previous = quarter === 1 ? { year: year - 1, part: 4 } : { year, part: quarter - 1 };
  const draft = await draftEvaluation(coach, nip, previous);
  const reasons: Record<string, string> = {
    berorientasi_pelayanan: 'Ramah dan sigap di loket; apresiasi warga pada triwulan ini.',
    kompeten: 'Menguasai alur pendaftaran dan rujukan.',
    kolaboratif: 'Membantu rekan di ruang KIA saat antrean panjang.',
  };
  const rated = await updateEvaluation(coach, draft.id, {
    revision: draft.revision,
    results: { rating: 'as_expected', reason: 'Target pendaftaran harian tercapai.' },
    values: Object.fromEntries(
      berakhlakValues.map((value) => [
        value,
        { rating: reasons[value] ? 'above' : 'as_expected', reason: reasons[value] ?? 'Sesuai harapan.' },
      ]),
    ),
  });
  await signEvaluation(coach, draft.id, { revision: rated.revision });
}
