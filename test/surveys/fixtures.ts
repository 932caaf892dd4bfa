import { Officer } from '../../src/modules/directory/model.js';
import { saveCounter, saveService } from '../../src/modules/directory/service.js';
import { seedDirectory } from '../helpers/app.js';

/** The test directory plus what a survey needs: services at both puskesmas, a counter at Kebun Handil. */
export async function seedSurveyDirectory() {
  const { admin } = await seedDirectory();
  await saveService(admin, 'PKM-KEBUNHANDIL', { code: 'POLI-UMUM', name: 'Poli Umum', targetWaitMinutes: 30 });
  await saveService(admin, 'PKM-KEBUNHANDIL', { code: 'KIA', name: 'Kesehatan Ibu dan Anak' });
  await saveService(admin, 'PKM-PUTRIAYU', { code: 'GIGI', name: 'Poli Gigi' });
  await saveCounter(admin, 'PKM-KEBUNHANDIL', { code: 'L1', name: 'Loket Pendaftaran' });
  const siti = (await Officer.findOne({ nip: '198503152010012001' }).lean())!; // Kebun Handil
  const budi = (await Officer.findOne({ nip: '199001012015031002' }).lean())!; // Putri Ayu
  return { admin, siti, budi };
}

export const ANSWERS = [4, 3, 3, 4, 3, 4, 4, 3, 3];

/** A complete, valid survey for Poli Umum at Puskesmas Kebun Handil; `change` overrides fields. */
export function survey(change: Record<string, unknown> = {}) {
  return {
    unitCode: 'PKM-KEBUNHANDIL',
    serviceCode: 'POLI-UMUM',
    answers: [...ANSWERS],
    respondent: { gender: 'female', ageBand: '30_39', education: 'sma', occupation: 'self_employed' },
    comment: 'Antrean tertib, petugas ramah.',
    ...change,
  };
}

/** Rate-limit counters live in the database; each spec starts with none. */
/** The cookie value a response set, by name. */
export function cookieFrom(setCookie: string | string[] | undefined, name: string): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = cookies.find((cookie) => cookie.startsWith(`${name}=`));
  return line ? decodeURIComponent(line.slice(name.length + 1).split(';')[0]!) : undefined;
}

export function setCookieLine(setCookie: string | string[] | undefined, name: string): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return cookies.find((cookie) => cookie.startsWith(`${name}=`));
}
