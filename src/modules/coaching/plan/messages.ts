/** Strings of the development plan and its suggestions. Bahasa Indonesia first. */
const id = {
  // Plan and training
  'coaching.work.plan.title': 'Rencana pengembangan',
  'coaching.work.plan.suggestions': 'Usulan kebutuhan pelatihan',
  'coaching.work.plan.no_suggestions': 'Belum ada usulan.',
  'coaching.work.plan.competency': 'Kompetensi',
  'coaching.work.plan.training': 'Pelatihan',
  'coaching.work.plan.evidence': 'Dasar: {count} temuan kategori {category}',
  'coaching.work.plan.status.suggested': 'Diusulkan',
  'coaching.work.plan.status.accepted': 'Diterima',
  'coaching.work.plan.status.dismissed': 'Ditolak',
  'coaching.work.plan.edited': 'diubah',
  'coaching.work.plan.reason': 'Alasan',
  'coaching.work.plan.accept': 'Terima',
  'coaching.work.plan.edit': 'Terima dengan perubahan',
  'coaching.work.plan.dismiss': 'Tolak',
  'coaching.work.plan.decided': 'Keputusan tersimpan.',
  'coaching.work.plan.jp_progress': 'Jam pelajaran {year}: {jp} dari target {target} JP',
  'coaching.work.plan.jp_rule':
    'Pelatihan yang melewati pergantian tahun dihitung utuh pada tahun tanggal selesainya (waktu setempat instansi).',
};

const en: Record<keyof typeof id, string> = {
  'coaching.work.plan.title': 'Development plan',
  'coaching.work.plan.suggestions': 'Suggested training needs',
  'coaching.work.plan.no_suggestions': 'No suggestions yet.',
  'coaching.work.plan.competency': 'Competency',
  'coaching.work.plan.training': 'Training',
  'coaching.work.plan.evidence': 'Based on {count} findings in {category}',
  'coaching.work.plan.status.suggested': 'Suggested',
  'coaching.work.plan.status.accepted': 'Accepted',
  'coaching.work.plan.status.dismissed': 'Dismissed',
  'coaching.work.plan.edited': 'edited',
  'coaching.work.plan.reason': 'Reason',
  'coaching.work.plan.accept': 'Accept',
  'coaching.work.plan.edit': 'Accept with changes',
  'coaching.work.plan.dismiss': 'Dismiss',
  'coaching.work.plan.decided': 'Decision saved.',
  'coaching.work.plan.jp_progress': 'Training hours {year}: {jp} of the {target} JP target',
  'coaching.work.plan.jp_rule':
    "A training that spans the new year counts whole in the year it ends (on the agency's local time).",
};

export default { id, en };
