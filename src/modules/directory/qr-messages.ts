/**
 * Strings of the QR posters and their admin page. Bahasa Indonesia first; English must have every key (the type
 * checks it). A poster prints both languages, Indonesian first, whatever the language of the person printing it.
 */
const id = {
  'qr.poster_heading': 'Suara Anda membantu kami melayani lebih baik',
  'qr.form_title': 'Sampaikan pengaduan atau apresiasi',
  'qr.form_help': 'Pindai dengan kamera ponsel. Tanpa akun, cukup satu menit.',
  'qr.survey_title': 'Isi survei kepuasan',
  'qr.survey_help': 'Sembilan pertanyaan singkat tentang layanan hari ini.',
  'qr.counter': 'Loket',
  'qr.officer': 'Petugas',
  'qr.privacy': 'Anda boleh tidak menyebutkan nama. Identitas pelapor dilindungi.',
  'qr.page_title': 'Poster QR',
  'qr.page_intro':
    'Cetak poster A4 untuk ditempel di unit, di loket, atau di meja petugas. Warga memindai kode dan langsung masuk ke formulir yang sudah terisi unitnya. Tautan hanya memuat kode acak petugas, bukan NIP.',
  'qr.whole_unit': 'Seluruh unit',
  'qr.per_counter': 'Per loket',
  'qr.per_officer': 'Per petugas',
  'qr.poster_pdf': 'Poster A4',
  'qr.form_png': 'QR formulir (PNG)',
  'qr.survey_png': 'QR survei (PNG)',
  'qr.form_short': 'Formulir',
  'qr.survey_short': 'Survei',
  'qr.preview': 'Kode QR formulir untuk {name}',
  'qr.none': 'Belum ada.',
  'qr.back': 'Kembali ke unit',
};

const en: Record<keyof typeof id, string> = {
  'qr.poster_heading': 'Your voice helps us serve you better',
  'qr.form_title': 'Send a complaint or a compliment',
  'qr.form_help': 'Scan with your phone camera. No account, one minute.',
  'qr.survey_title': 'Take the satisfaction survey',
  'qr.survey_help': "Nine short questions about today's service.",
  'qr.counter': 'Counter',
  'qr.officer': 'Officer',
  'qr.privacy': 'You need not give your name. The identity of reporters is protected.',
  'qr.page_title': 'QR posters',
  'qr.page_intro':
    'Print A4 posters for the unit, a counter or an officer’s desk. Citizens scan the code and land on the form with the unit filled in. Links carry only the officer’s random reference, never the NIP.',
  'qr.whole_unit': 'Whole unit',
  'qr.per_counter': 'Per counter',
  'qr.per_officer': 'Per officer',
  'qr.poster_pdf': 'A4 poster',
  'qr.form_png': 'Form QR (PNG)',
  'qr.survey_png': 'Survey QR (PNG)',
  'qr.form_short': 'Form',
  'qr.survey_short': 'Survey',
  'qr.preview': 'Form QR code for {name}',
  'qr.none': 'None yet.',
  'qr.back': 'Back to the unit',
};

export default { id, en };
