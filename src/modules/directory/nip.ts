/**
 * NIP (Nomor Induk Pegawai) of a PNS: 18 digits = birth date YYYYMMDD + CPNS appointment YYYYMM + sex (1 man,
 * 2 woman) + 3-digit sequence. An NI PPPK has the same shape with "21" where the appointment month stands
 * (YYYY21). The birth date encoded here is personal data: public pages never show a NIP.
 */
export type NipProblem =
  | 'nip.length'
  | 'nip.scientific'
  | 'nip.birth_date'
  | 'nip.appointment'
  | 'nip.too_young'
  | 'nip.future'
  | 'nip.sex'
  | 'nip.sequence';

export interface ParsedNip {
  nip: string;
  employment: 'pns' | 'pppk';
  birthDate: string; // YYYY-MM-DD
  appointedYear: number;
  appointedMonth: number | null; // null for PPPK, whose number carries no month
  sex: 'male' | 'female';
}

export type NipResult = { ok: true; value: ParsedNip } | { ok: false; problem: NipProblem };

const PPPK_MARKER = 21;

/** Spaces, dots and dashes are how NIPs are printed ("19850315 201001 1 001"); they are not part of the number. */
export function normaliseNip(raw: string): string {
  return raw.trim().replace(/[\s.-]/g, '');
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseNip(raw: string, today: Date = new Date()): NipResult {
  const trimmed = raw.trim();
  if (/^\d(?:[.,]\d+)?E\+?\d+$/i.test(trimmed)) return { ok: false, problem: 'nip.scientific' };
  const nip = normaliseNip(trimmed);
  if (!/^\d{18}$/.test(nip)) return { ok: false, problem: 'nip.length' };
  const digits = (from: number, to: number) => Number(nip.slice(from, to));
  const [birthYear, birthMonth, birthDay] = [digits(0, 4), digits(4, 6), digits(6, 8)];
  if (birthYear < 1900 || !isRealDate(birthYear, birthMonth, birthDay)) return { ok: false, problem: 'nip.birth_date' };
  const appointedYear = digits(8, 12);
  const monthField = digits(12, 14);
  const employment = monthField === PPPK_MARKER ? 'pppk' : 'pns';
  if (appointedYear < 1900 || (employment === 'pns' && (monthField < 1 || monthField > 12)))
    return { ok: false, problem: 'nip.appointment' };
  // PPPK numbers carry no month: compare by year, which is the most the number can tell.
  const appointed = employment === 'pns' ? appointedYear * 12 + monthField - 1 : appointedYear * 12 + 11;
  const adult = (birthYear + 18) * 12 + birthMonth - 1;
  if (appointed < adult) return { ok: false, problem: 'nip.too_young' };
  const now = today.getUTCFullYear() * 12 + today.getUTCMonth();
  if ((employment === 'pns' ? appointed : appointedYear * 12) > now) return { ok: false, problem: 'nip.future' };
  const sexDigit = nip[14];
  if (sexDigit !== '1' && sexDigit !== '2') return { ok: false, problem: 'nip.sex' };
  if (nip.slice(15) === '000') return { ok: false, problem: 'nip.sequence' };
  return {
    ok: true,
    value: {
      nip,
      employment,
      birthDate: `${nip.slice(0, 4)}-${nip.slice(4, 6)}-${nip.slice(6, 8)}`,
      appointedYear,
      appointedMonth: employment === 'pns' ? monthField : null,
      sex: sexDigit === '1' ? 'male' : 'female',
    },
  };
}
