/** Strings of the agency's development-plan rules (the admin pages). Bahasa Indonesia first. */
const id = {
  'coaching.rules.title': 'Aturan usulan pelatihan',
  'coaching.rules.lead':
    'Temuan berulang pada satu kategori mengusulkan kompetensi dan pelatihan bagi pegawai. Aturan nasional berlaku sampai instansi mengubah atau menonaktifkannya untuk instansinya sendiri.',
  'coaching.rules.new': 'Tambah aturan',
  'coaching.rules.edit': 'Ubah aturan',
  'coaching.rules.category': 'Kategori temuan',
  'coaching.rules.when': 'Berlaku bila',
  'coaching.rules.threshold': 'minimal {count} temuan dalam {days} hari',
  'coaching.rules.suggests': 'Usulan',
  'coaching.rules.source': 'Sumber',
  'coaching.rules.source.national': 'Bawaan nasional',
  'coaching.rules.source.agency': 'Aturan instansi',
  'coaching.rules.status': 'Status',
  'coaching.rules.active': 'Aktif',
  'coaching.rules.inactive': 'Nonaktif',
  'coaching.rules.activate': 'Aktifkan',
  'coaching.rules.deactivate': 'Nonaktifkan',
  'coaching.rules.none': 'Belum ada aturan.',
  'coaching.rules.min_count': 'Jumlah temuan minimal',
  'coaching.rules.window_days': 'Dalam jangka (hari)',
  'coaching.rules.competency_id': 'Kompetensi (Bahasa Indonesia)',
  'coaching.rules.competency_en': 'Kompetensi (Inggris, boleh kosong)',
  'coaching.rules.training_id': 'Pelatihan yang diusulkan (Bahasa Indonesia)',
  'coaching.rules.training_en': 'Pelatihan yang diusulkan (Inggris, boleh kosong)',
  'coaching.rules.jp': 'Jam pelajaran (JP, boleh kosong)',
  'coaching.rules.help':
    'Perubahan berlaku untuk usulan berikutnya; usulan yang sudah dibuat tidak berubah. Hanya temuan terbukti yang dihitung.',
  'coaching.rules.copy_note':
    'Ini aturan bawaan nasional: perubahan Anda disimpan sebagai aturan instansi ini dan tidak mengubah instansi lain.',
  'coaching.rules.saved': 'Aturan tersimpan.',
  'coaching.rules.unknown_category': 'Kategori ini tidak dikenal atau tidak aktif.',
  'coaching.rules.agency_required': 'Pilih instansi (parameter agency).',
  'coaching.rules.choose_agency': 'Pengaturan ini milik tiap instansi. Pilih instansinya:',
};

const en: Record<keyof typeof id, string> = {
  'coaching.rules.title': 'Training suggestion rules',
  'coaching.rules.lead':
    'Findings that recur in one category suggest a competency and a training for the officer. The national rules apply until the agency changes or deactivates them for itself.',
  'coaching.rules.new': 'Add a rule',
  'coaching.rules.edit': 'Edit rule',
  'coaching.rules.category': 'Finding category',
  'coaching.rules.when': 'Applies when',
  'coaching.rules.threshold': 'at least {count} findings within {days} days',
  'coaching.rules.suggests': 'Suggests',
  'coaching.rules.source': 'Source',
  'coaching.rules.source.national': 'National default',
  'coaching.rules.source.agency': 'Agency rule',
  'coaching.rules.status': 'Status',
  'coaching.rules.active': 'Active',
  'coaching.rules.inactive': 'Inactive',
  'coaching.rules.activate': 'Activate',
  'coaching.rules.deactivate': 'Deactivate',
  'coaching.rules.none': 'No rules yet.',
  'coaching.rules.min_count': 'Minimum number of findings',
  'coaching.rules.window_days': 'Within (days)',
  'coaching.rules.competency_id': 'Competency (Bahasa Indonesia)',
  'coaching.rules.competency_en': 'Competency (English, optional)',
  'coaching.rules.training_id': 'Suggested training (Bahasa Indonesia)',
  'coaching.rules.training_en': 'Suggested training (English, optional)',
  'coaching.rules.jp': 'Training hours (JP, optional)',
  'coaching.rules.help':
    'Changes apply to the next suggestions; suggestions already made do not change. Only substantiated findings count.',
  'coaching.rules.copy_note':
    "This is a national default: your change is kept as this agency's rule and does not change other agencies.",
  'coaching.rules.saved': 'Rule saved.',
  'coaching.rules.unknown_category': 'This category is unknown or inactive.',
  'coaching.rules.agency_required': 'Choose an agency (the agency parameter).',
  'coaching.rules.choose_agency': 'These settings belong to each agency. Choose one:',
};

export default { id, en };
