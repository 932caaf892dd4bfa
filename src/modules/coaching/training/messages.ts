/** Strings of training records. Bahasa Indonesia first. */
const id = {
  // Plan and training
  'coaching.work.training.title': 'Riwayat pelatihan',
  'coaching.work.training.new': 'Catat pelatihan',
  'coaching.work.training.none': 'Belum ada pelatihan tercatat.',
  'coaching.work.training.name': 'Nama pelatihan',
  'coaching.work.training.provider': 'Penyelenggara',
  'coaching.work.training.start': 'Tanggal mulai',
  'coaching.work.training.end': 'Tanggal selesai',
  'coaching.work.training.jp': 'Jam pelajaran (JP)',
  'coaching.work.training.suggestion': 'Menjawab usulan',
  'coaching.work.training.no_suggestion': '(tidak terkait usulan)',
  'coaching.work.training.saved': 'Pelatihan tercatat.',
};

const en: Record<keyof typeof id, string> = {
  'coaching.work.training.title': 'Training record',
  'coaching.work.training.new': 'Record a training',
  'coaching.work.training.none': 'No training recorded yet.',
  'coaching.work.training.name': 'Training name',
  'coaching.work.training.provider': 'Provider',
  'coaching.work.training.start': 'Start date',
  'coaching.work.training.end': 'End date',
  'coaching.work.training.jp': 'Training hours (JP)',
  'coaching.work.training.suggestion': 'Answers suggestion',
  'coaching.work.training.no_suggestion': '(not linked to a suggestion)',
  'coaching.work.training.saved': 'Training recorded.',
};

export default { id, en };
