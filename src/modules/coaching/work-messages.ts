import evaluations from './evaluations/messages.js';
import plan from './plan/messages.js';
import rules from './plan/rule-messages.js';
import sessions from './sessions/messages.js';
import training from './training/messages.js';

/**
 * Strings of the coaching work (sessions, plan, training, evaluations): those they share here, each capability's own in
 * its folder. Bahasa Indonesia first.
 */
const id = {
  'coaching.work.title': 'Dialog kinerja dan evaluasi',
  // Errors
  'coaching.work.bad_date': 'Tanggal harus berformat TTTT-BB-HH.',
  'coaching.work.bad_reference': 'Rujukan tidak dikenal.',
  'coaching.work.topic_not_officer': 'Topik ini bukan temuan atau laporan tentang pegawai ini.',
  'coaching.work.due_before_session': 'Batas waktu tidak boleh sebelum tanggal dialog.',
  'coaching.work.end_before_start': 'Tanggal selesai tidak boleh sebelum tanggal mulai.',
  'coaching.work.suggestion_not_officer': 'Usulan ini bukan milik pegawai ini.',
  'coaching.work.already_decided': 'Usulan ini sudah diputuskan.',
  'coaching.work.evaluation_exists': 'Evaluasi untuk periode ini sudah ada.',
  'coaching.work.bad_part': 'Bagian periode paling banyak {limit}.',
  'coaching.work.signed_locked': 'Evaluasi yang sudah ditandatangani terkunci. Buat versi baru untuk mengubahnya.',
  'coaching.work.stale': 'Evaluasi ini sudah diubah orang lain. Muat ulang halaman.',
  'coaching.work.rating_required': 'Pilih penilaian.',
  'coaching.work.reason_required': 'Tulis alasan singkat.',
  'coaching.work.incomplete': 'Evaluasi belum lengkap: setiap penilaian memerlukan nilai dan alasan.',
  'coaching.work.not_latest_signed': 'Versi baru hanya dapat dibuat dari versi terakhir yang sudah ditandatangani.',
  'coaching.work.version_exists': 'Versi baru untuk evaluasi ini sudah ada.',
  // Feed
  'coaching.work.feed_session': 'Dialog kinerja dengan {coach}',
  'coaching.work.feed_session_summary': '{actions} tindak lanjut disepakati, {open} masih terbuka',
  'coaching.work.feed_training': '{provider} · {jp} JP',
  'coaching.work.feed_evaluation': 'Evaluasi kinerja {period} (versi {version})',
  // Periods
  'coaching.work.period_quarter': 'Triwulan {part} {year}',
  'coaching.work.period_semester': 'Semester {part} {year}',
  'coaching.work.period_year': 'Tahun {year}',
  'coaching.work.part': 'Bagian',
  'coaching.work.year': 'Tahun',
  // Mail
  'coaching.work.owner.officer': 'Pegawai',
  'coaching.work.owner.coach': 'Pembina',
  // Pages: common
  'coaching.work.officer': 'Pegawai',
  'coaching.work.unit': 'Unit',
  'coaching.work.position': 'Jabatan',
  'coaching.work.record': 'Catatan pegawai',
  'coaching.work.back_to_record': 'Kembali ke catatan pegawai',
  'coaching.work.save': 'Simpan',
  ...sessions.id,
  ...plan.id,
  ...rules.id,
  ...training.id,
  ...evaluations.id,
};

const en: Record<keyof typeof id, string> = {
  'coaching.work.title': 'Coaching and evaluations',
  'coaching.work.bad_date': 'Dates must be written YYYY-MM-DD.',
  'coaching.work.bad_reference': 'Unknown reference.',
  'coaching.work.topic_not_officer': 'This topic is not a finding or report about this officer.',
  'coaching.work.due_before_session': 'The due date cannot be before the session date.',
  'coaching.work.end_before_start': 'The end date cannot be before the start date.',
  'coaching.work.suggestion_not_officer': 'This suggestion belongs to another officer.',
  'coaching.work.already_decided': 'This suggestion has already been decided.',
  'coaching.work.evaluation_exists': 'There is already an evaluation for this period.',
  'coaching.work.bad_part': 'The part of the period can be at most {limit}.',
  'coaching.work.signed_locked': 'A signed evaluation is locked. Make a new version to change it.',
  'coaching.work.stale': 'Someone else changed this evaluation. Reload the page.',
  'coaching.work.rating_required': 'Choose a rating.',
  'coaching.work.reason_required': 'Write a short reason.',
  'coaching.work.incomplete': 'The evaluation is not complete: every rating needs a value and a reason.',
  'coaching.work.not_latest_signed': 'A new version can only be made from the latest signed version.',
  'coaching.work.version_exists': 'A new version of this evaluation already exists.',
  'coaching.work.feed_session': 'Coaching session with {coach}',
  'coaching.work.feed_session_summary': '{actions} actions agreed, {open} still open',
  'coaching.work.feed_training': '{provider} · {jp} JP',
  'coaching.work.feed_evaluation': 'Performance evaluation {period} (version {version})',
  'coaching.work.period_quarter': 'Quarter {part} {year}',
  'coaching.work.period_semester': 'Semester {part} {year}',
  'coaching.work.period_year': 'Year {year}',
  'coaching.work.part': 'Part',
  'coaching.work.year': 'Year',
  'coaching.work.owner.officer': 'Officer',
  'coaching.work.owner.coach': 'Coach',
  'coaching.work.officer': 'Officer',
  'coaching.work.unit': 'Unit',
  'coaching.work.position': 'Position',
  'coaching.work.record': 'Officer record',
  'coaching.work.back_to_record': 'Back to the officer record',
  'coaching.work.save': 'Save',
  ...sessions.en,
  ...plan.en,
  ...rules.en,
  ...training.en,
  ...evaluations.en,
};

export default { id, en };
