/** Strings of the scheduled clock work (escalations, digests). Bahasa Indonesia first; English must have every key. */
const id = {
  'clocks.clock.verify': 'verifikasi',
  'clocks.clock.followUp': 'tindak lanjut pertama',
  'clocks.clock.resolve': 'penyelesaian',
  'clocks.clock.autoClose': 'penutupan otomatis',
  'clocks.late.today': 'kurang dari satu hari kerja',
  'clocks.late.days': '{days} hari kerja',
  'clocks.notice.escalated': 'Laporan {code} di {unit} melewati batas waktu {clock}.',
  'clocks.settings.verify_bounds': 'Batas waktu verifikasi harus 1 sampai 3 hari kerja (batas PermenPANRB 62/2018).',
  'clocks.settings.follow_up_bounds':
    'Batas waktu tindak lanjut pertama harus 1 sampai 5 hari kerja (batas PermenPANRB 62/2018).',
  'clocks.settings.resolve_bounds':
    'Batas waktu penyelesaian harus 1 sampai 14 hari kerja (batas PermenPANRB 62/2018).',
  'clocks.settings.auto_close_bounds': 'Penutupan otomatis harus 5 sampai 30 hari kerja setelah laporan selesai.',
  'clocks.settings.escalate_again_bounds': 'Eskalasi lanjutan harus setiap 1 sampai 10 hari kerja.',
};

const en: Record<keyof typeof id, string> = {
  'clocks.clock.verify': 'verification',
  'clocks.clock.followUp': 'first follow-up',
  'clocks.clock.resolve': 'resolution',
  'clocks.clock.autoClose': 'automatic closing',
  'clocks.late.today': 'less than one working day',
  'clocks.late.days': '{days} working days',
  'clocks.notice.escalated': 'Report {code} at {unit} is past its {clock} deadline.',
  'clocks.settings.verify_bounds': 'Verification must take 1 to 3 working days (the limit of PermenPANRB 62/2018).',
  'clocks.settings.follow_up_bounds':
    'The first follow-up must take 1 to 5 working days (the limit of PermenPANRB 62/2018).',
  'clocks.settings.resolve_bounds': 'Resolution must take 1 to 14 working days (the limit of PermenPANRB 62/2018).',
  'clocks.settings.auto_close_bounds': 'Automatic closing must be 5 to 30 working days after resolution.',
  'clocks.settings.escalate_again_bounds': 'A lasting breach must climb again every 1 to 10 working days.',
};

export default { id, en };
