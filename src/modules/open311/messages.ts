/**
 * Strings of the Open311 GeoReport v2 endpoint: error descriptions and service texts. Bahasa Indonesia first; English
 * must have every key (the type checks it).
 */
const id = {
  'open311.service_description': '{category} di {unit}',
  'open311.key_service': 'Kunci API dibuat oleh admin atau kepala unit di halaman Akun › Token API.',
  'open311.contact': 'Hubungi admin instansi Anda.',
  'open311.api_key_missing': 'api_key wajib diisi untuk mengirim laporan.',
  'open311.api_key_invalid': 'api_key tidak dikenal, sudah dicabut, atau kedaluwarsa.',
  'open311.api_key_scope': 'api_key ini tidak berlaku untuk unit layanan {unit}.',
  'open311.service_code_missing': 'service_code wajib diisi.',
  'open311.service_unknown': 'service_code {code} tidak dikenal.',
  'open311.request_unknown': 'Laporan {code} tidak ditemukan.',
  'open311.not_found': 'Alamat ini tidak ada di GeoReport v2.',
  'open311.bad_parameter': 'Parameter {name}: {problem}',
  'open311.bad_date': 'bukan tanggal dan waktu ISO 8601.',
  'open311.bad_range': 'start_date harus sebelum end_date.',
  'open311.bad_status': 'hanya open atau closed.',
  'open311.too_many_ids': 'paling banyak 1000 nomor.',
  'open311.notice': 'Laporan diterima. Pelapor yang memberi e-mail mendapat nomor dan tautan untuk memantaunya.',
  'open311.awaiting_moderation': 'Isi laporan ditampilkan setelah diperiksa petugas.',
  'open311.attribute.kind': 'Jenis laporan',
  'open311.attribute.privacy': 'Kerahasiaan pelapor (bawaan: publik)',
  'open311.attribute.occurred_at': 'Kapan kejadiannya (ISO 8601)',
  'open311.privacy.public': 'Publik',
  'open311.privacy.anonymous': 'Anonim',
  'open311.privacy.confidential': 'Rahasia',
  'audit.action.open311.request': 'Mengirim laporan lewat Open311',
};

const en: Record<keyof typeof id, string> = {
  'open311.service_description': '{category} at {unit}',
  'open311.key_service': 'An API key is created by an admin or a unit head on Account › API tokens.',
  'open311.contact': 'Contact your agency’s administrator.',
  'open311.api_key_missing': 'api_key is required to submit a request.',
  'open311.api_key_invalid': 'api_key is unknown, revoked or expired.',
  'open311.api_key_scope': 'This api_key is not valid for the service unit {unit}.',
  'open311.service_code_missing': 'service_code is required.',
  'open311.service_unknown': 'service_code {code} not found.',
  'open311.request_unknown': 'Service request {code} not found.',
  'open311.not_found': 'No such GeoReport v2 resource.',
  'open311.bad_parameter': 'Parameter {name}: {problem}',
  'open311.bad_date': 'not an ISO 8601 date and time.',
  'open311.bad_range': 'start_date must come before end_date.',
  'open311.bad_status': 'only open or closed.',
  'open311.too_many_ids': 'at most 1000 ids.',
  'open311.notice': 'Request received. A reporter who gave an e-mail address gets the number and a link to follow it.',
  'open311.awaiting_moderation': 'The text is shown once staff have reviewed it.',
  'open311.attribute.kind': 'Kind of report',
  'open311.attribute.privacy': 'Reporter privacy (default: public)',
  'open311.attribute.occurred_at': 'When it happened (ISO 8601)',
  'open311.privacy.public': 'Public',
  'open311.privacy.anonymous': 'Anonymous',
  'open311.privacy.confidential': 'Confidential',
  'audit.action.open311.request': 'Filed a request through Open311',
};

export default { id, en };
