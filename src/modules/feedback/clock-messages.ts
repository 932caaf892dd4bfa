/** Strings of the scheduled clock work (escalations, digests). Bahasa Indonesia first; English must have every key. */
const id = {
  'clocks.clock.verify': 'verifikasi',
  'clocks.clock.followUp': 'tindak lanjut pertama',
  'clocks.clock.resolve': 'penyelesaian',
  'clocks.clock.autoClose': 'penutupan otomatis',
  'clocks.late.today': 'kurang dari satu hari kerja',
  'clocks.late.days': '{days} hari kerja',
  'clocks.notice.escalated': 'Laporan {code} di {unit} melewati batas waktu {clock}.',
};

const en: Record<keyof typeof id, string> = {
  'clocks.clock.verify': 'verification',
  'clocks.clock.followUp': 'first follow-up',
  'clocks.clock.resolve': 'resolution',
  'clocks.clock.autoClose': 'automatic closing',
  'clocks.late.today': 'less than one working day',
  'clocks.late.days': '{days} working days',
  'clocks.notice.escalated': 'Report {code} at {unit} is past its {clock} deadline.',
};

export default { id, en };
