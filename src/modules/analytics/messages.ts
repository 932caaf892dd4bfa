/** Strings of the analytics module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'analytics.title': 'Analitik layanan',
  'analytics.date_invalid': 'Tanggal harus berbentuk TTTT-BB-HH dan ada di kalender.',
  'analytics.range_invalid': 'Tanggal akhir tidak boleh sebelum tanggal awal.',
  'analytics.range_too_long': 'Periode paling panjang {days} hari.',
  'analytics.unknown_unit': 'Unit tidak dikenal.',
  'analytics.transparency_period_invalid': 'Pilih bulan, triwulan, semester, atau tahun.',
  'analytics.sample_too_small': 'Jumlah responden di bawah sampel minimum ({minimum}): hasil belum mewakili.',
};

const en: Record<keyof typeof id, string> = {
  'analytics.title': 'Service analytics',
  'analytics.date_invalid': 'Dates must look like YYYY-MM-DD and exist in the calendar.',
  'analytics.range_invalid': 'The end date must not be before the start date.',
  'analytics.range_too_long': 'A period can be at most {days} days long.',
  'analytics.unknown_unit': 'Unknown unit.',
  'analytics.transparency_period_invalid': 'Choose month, quarter, half-year or year.',
  'analytics.sample_too_small':
    'Fewer respondents than the minimum sample ({minimum}): the result is not yet representative.',
};

export default { id, en };
