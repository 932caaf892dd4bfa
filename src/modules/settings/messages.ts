/** Strings of the agency settings page. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'settings.title': 'Pengaturan instansi',
  'settings.saved': 'Pengaturan tersimpan.',
  'settings.choose_agency': 'Pilih instansi',
  'settings.weights.title': 'Bobot unsur SKM',
  'settings.weights.help':
    'Sembilan bobot unsur survei kepuasan masyarakat, jumlahnya harus 1. Bawaan: bobot sama, masing-masing 1/9.',
  'settings.weights.element': 'Unsur {n}',
  'settings.weights.custom': 'Bobot sendiri berlaku.',
  'settings.weights.equal_now': 'Bobot sama (1/9) berlaku.',
  'settings.weights.save': 'Simpan bobot',
  'settings.weights.equal': 'Kembali ke bobot sama',
  'settings.transparency.title': 'Periode halaman transparansi',
  'settings.transparency.help': 'Periode angka publik unit-unit instansi ini, sampai hari ini.',
  'settings.transparency.save': 'Simpan periode',
  'settings.period.month': 'Bulan berjalan',
  'settings.period.quarter': 'Triwulan berjalan',
  'settings.period.half': 'Semester berjalan',
  'settings.period.year': 'Tahun berjalan',
};

const en: Record<keyof typeof id, string> = {
  'settings.title': 'Agency settings',
  'settings.saved': 'Settings saved.',
  'settings.choose_agency': 'Choose an agency',
  'settings.weights.title': 'SKM element weights',
  'settings.weights.help':
    'The nine weights of the public satisfaction survey’s elements; they must add up to 1. Default: equal, 1/9 each.',
  'settings.weights.element': 'Element {n}',
  'settings.weights.custom': 'Custom weights apply.',
  'settings.weights.equal_now': 'Equal weights (1/9) apply.',
  'settings.weights.save': 'Save weights',
  'settings.weights.equal': 'Back to equal weights',
  'settings.transparency.title': 'Transparency page period',
  'settings.transparency.help': 'The period the public figures of this agency’s units cover, up to today.',
  'settings.transparency.save': 'Save period',
  'settings.period.month': 'Month to date',
  'settings.period.quarter': 'Quarter to date',
  'settings.period.half': 'Half-year to date',
  'settings.period.year': 'Year to date',
};

export default { id, en };
