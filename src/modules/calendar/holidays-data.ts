import type { LocalDate } from '../../platform/calendar.js';

/** One day of the national calendar as the seed writes it; `provisional` marks a date that may still move. */
export interface NationalHoliday {
  date: LocalDate;
  name_id: string;
  name: string;
  kind: 'national' | 'cuti_bersama';
  provisional?: true;
}

/**
 * Indonesia's national holidays (libur nasional) and cuti bersama for 2026 and 2027, after the joint decrees of the
 * Ministers of Religious Affairs, Manpower and PANRB (SKB 3 Menteri). Admins correct this in /admin/holidays when the
 * government revises a decree; the seed never brings back a day they removed.
 *
 * 2026, CERTAIN: SKB Menag No. 1497/2025, Menaker No. 2/2025, MenPANRB No. 5/2025, announced 19 September 2025:
 * 17 national days and 8 days of cuti bersama. (As every year, the Islamic days in the decree follow the government
 * calendar; a sidang isbat that moved one would be an admin correction.)
 *
 * 2027, PROVISIONAL in part: the SKB for 2027 was announced in September 2026, but this list was checked against a
 * secondary record of it (the `holidays` package, v0.108), not the decree itself. Fixed days, the Easter-based days,
 * Imlek, Nyepi and Waisak follow from their calendars and are certain. The Islamic days are checked against the moon
 * at sunset in Indonesia under the MABIMS criterion (altitude ≥ 3°, elongation ≥ 6.4°) and are marked provisional,
 * as a sidang isbat decides Idul Fitri and Idul Adha; the 2027 cuti bersama are marked provisional until someone
 * reads them in the decree. 2027 has two Isra Mikraj (1448 H in January, 1449 H in December).
 */
export const nationalHolidays: readonly NationalHoliday[] = [
  // 2026: libur nasional
  { date: '2026-01-01', kind: 'national', name_id: 'Tahun Baru 2026 Masehi', name: "New Year's Day 2026" },
  {
    date: '2026-01-16',
    kind: 'national',
    name_id: 'Isra Mikraj Nabi Muhammad S.A.W.',
    name: "Isra Mi'raj of the Prophet Muhammad",
  },
  { date: '2026-02-17', kind: 'national', name_id: 'Tahun Baru Imlek 2577 Kongzili', name: 'Chinese New Year 2577' },
  {
    date: '2026-03-19',
    kind: 'national',
    name_id: 'Hari Suci Nyepi (Tahun Baru Saka 1948)',
    name: 'Nyepi, Day of Silence (Saka New Year 1948)',
  },
  { date: '2026-03-21', kind: 'national', name_id: 'Idul Fitri 1447 Hijriah', name: 'Eid al-Fitr 1447 AH' },
  {
    date: '2026-03-22',
    kind: 'national',
    name_id: 'Idul Fitri 1447 Hijriah (hari kedua)',
    name: 'Eid al-Fitr 1447 AH (second day)',
  },
  { date: '2026-04-03', kind: 'national', name_id: 'Wafat Yesus Kristus', name: 'Good Friday' },
  { date: '2026-04-05', kind: 'national', name_id: 'Kebangkitan Yesus Kristus (Paskah)', name: 'Easter Sunday' },
  { date: '2026-05-01', kind: 'national', name_id: 'Hari Buruh Internasional', name: 'International Labour Day' },
  { date: '2026-05-14', kind: 'national', name_id: 'Kenaikan Yesus Kristus', name: 'Ascension of Jesus Christ' },
  { date: '2026-05-27', kind: 'national', name_id: 'Idul Adha 1447 Hijriah', name: 'Eid al-Adha 1447 AH' },
  { date: '2026-05-31', kind: 'national', name_id: 'Hari Raya Waisak 2570 BE', name: 'Vesak Day 2570 BE' },
  { date: '2026-06-01', kind: 'national', name_id: 'Hari Lahir Pancasila', name: 'Pancasila Day' },
  {
    date: '2026-06-16',
    kind: 'national',
    name_id: '1 Muharam Tahun Baru Islam 1448 Hijriah',
    name: 'Islamic New Year 1448 AH',
  },
  { date: '2026-08-17', kind: 'national', name_id: 'Proklamasi Kemerdekaan', name: 'Independence Day' },
  {
    date: '2026-08-25',
    kind: 'national',
    name_id: 'Maulid Nabi Muhammad S.A.W.',
    name: 'Birthday of the Prophet Muhammad',
  },
  { date: '2026-12-25', kind: 'national', name_id: 'Kelahiran Yesus Kristus', name: 'Christmas Day' },

  // 2026: cuti bersama
  {
    date: '2026-02-16',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Tahun Baru Imlek 2577 Kongzili',
    name: 'Collective leave: Chinese New Year',
  },
  {
    date: '2026-03-18',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Hari Suci Nyepi',
    name: 'Collective leave: Nyepi',
  },
  ...(['2026-03-20', '2026-03-23', '2026-03-24'] as const).map((date) => ({
    date,
    kind: 'cuti_bersama' as const,
    name_id: 'Cuti bersama Idul Fitri 1447 Hijriah',
    name: 'Collective leave: Eid al-Fitr',
  })),
  {
    date: '2026-05-15',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Kenaikan Yesus Kristus',
    name: 'Collective leave: Ascension Day',
  },
  {
    date: '2026-05-28',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Idul Adha 1447 Hijriah',
    name: 'Collective leave: Eid al-Adha',
  },
  {
    date: '2026-12-24',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Kelahiran Yesus Kristus',
    name: 'Collective leave: Christmas',
  },

  // 2027: libur nasional
  { date: '2027-01-01', kind: 'national', name_id: 'Tahun Baru 2027 Masehi', name: "New Year's Day 2027" },
  {
    date: '2027-01-05',
    kind: 'national',
    name_id: 'Isra Mikraj Nabi Muhammad S.A.W. (1448 H)',
    name: "Isra Mi'raj of the Prophet Muhammad (1448 AH)",
    provisional: true,
  },
  { date: '2027-02-06', kind: 'national', name_id: 'Tahun Baru Imlek 2578 Kongzili', name: 'Chinese New Year 2578' },
  {
    date: '2027-03-08',
    kind: 'national',
    name_id: 'Hari Suci Nyepi (Tahun Baru Saka 1949)',
    name: 'Nyepi, Day of Silence (Saka New Year 1949)',
  },
  {
    date: '2027-03-10',
    kind: 'national',
    name_id: 'Idul Fitri 1448 Hijriah',
    name: 'Eid al-Fitr 1448 AH',
    provisional: true,
  },
  {
    date: '2027-03-11',
    kind: 'national',
    name_id: 'Idul Fitri 1448 Hijriah (hari kedua)',
    name: 'Eid al-Fitr 1448 AH (second day)',
    provisional: true,
  },
  { date: '2027-03-26', kind: 'national', name_id: 'Wafat Yesus Kristus', name: 'Good Friday' },
  { date: '2027-03-28', kind: 'national', name_id: 'Kebangkitan Yesus Kristus (Paskah)', name: 'Easter Sunday' },
  { date: '2027-05-01', kind: 'national', name_id: 'Hari Buruh Internasional', name: 'International Labour Day' },
  { date: '2027-05-06', kind: 'national', name_id: 'Kenaikan Yesus Kristus', name: 'Ascension of Jesus Christ' },
  {
    date: '2027-05-17',
    kind: 'national',
    name_id: 'Idul Adha 1448 Hijriah',
    name: 'Eid al-Adha 1448 AH',
    provisional: true,
  },
  { date: '2027-05-20', kind: 'national', name_id: 'Hari Raya Waisak 2571 BE', name: 'Vesak Day 2571 BE' },
  { date: '2027-06-01', kind: 'national', name_id: 'Hari Lahir Pancasila', name: 'Pancasila Day' },
  {
    date: '2027-06-06',
    kind: 'national',
    name_id: '1 Muharam Tahun Baru Islam 1449 Hijriah',
    name: 'Islamic New Year 1449 AH',
    provisional: true,
  },
  {
    date: '2027-08-15',
    kind: 'national',
    name_id: 'Maulid Nabi Muhammad S.A.W.',
    name: 'Birthday of the Prophet Muhammad',
    provisional: true,
  },
  { date: '2027-08-17', kind: 'national', name_id: 'Proklamasi Kemerdekaan', name: 'Independence Day' },
  { date: '2027-12-25', kind: 'national', name_id: 'Kelahiran Yesus Kristus', name: 'Christmas Day' },
  {
    date: '2027-12-26',
    kind: 'national',
    name_id: 'Isra Mikraj Nabi Muhammad S.A.W. (1449 H)',
    name: "Isra Mi'raj of the Prophet Muhammad (1449 AH)",
    provisional: true,
  },

  // 2027: cuti bersama (all provisional, see above)
  {
    date: '2027-02-05',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Tahun Baru Imlek 2578 Kongzili',
    name: 'Collective leave: Chinese New Year',
    provisional: true,
  },
  ...(['2027-03-09', '2027-03-12', '2027-03-15'] as const).map((date) => ({
    date,
    kind: 'cuti_bersama' as const,
    name_id: 'Cuti bersama Idul Fitri 1448 Hijriah',
    name: 'Collective leave: Eid al-Fitr',
    provisional: true as const,
  })),
  {
    date: '2027-03-25',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Wafat Yesus Kristus',
    name: 'Collective leave: Good Friday',
    provisional: true,
  },
  {
    date: '2027-05-18',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Idul Adha 1448 Hijriah',
    name: 'Collective leave: Eid al-Adha',
    provisional: true,
  },
  {
    date: '2027-05-19',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Hari Raya Waisak',
    name: 'Collective leave: Vesak',
    provisional: true,
  },
  {
    date: '2027-12-24',
    kind: 'cuti_bersama',
    name_id: 'Cuti bersama Kelahiran Yesus Kristus',
    name: 'Collective leave: Christmas',
    provisional: true,
  },
];
