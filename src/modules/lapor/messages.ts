/**
 * Strings of the SP4N-LAPOR! hand-over page and its import report. Bahasa Indonesia first; English must have every
 * key (the type checks it).
 */
const id = {
  'lapor.title': 'Serah terima SP4N-LAPOR!',
  'lapor.lead':
    'Ekspor tiket yang boleh Anda lihat dengan kolom SP4N-LAPOR!, dan impor status serta disposisi dari berkas LAPOR!. Setiap ekspor dan impor dicatat di log audit.',
  'lapor.export': 'Ekspor',
  'lapor.export_help': 'Kosongkan semua isian untuk mengekspor tiket terbaru (paling banyak 1000).',
  'lapor.from': 'Masuk sejak (tanggal)',
  'lapor.to': 'Masuk sampai (tanggal)',
  'lapor.codes': 'Kode tiket (pisahkan dengan koma)',
  'lapor.format': 'Format berkas',
  'lapor.download': 'Unduh',
  'lapor.import': 'Impor dari LAPOR!',
  'lapor.import_help':
    'Berkas CSV dengan baris judul kolom seperti di bawah ini (sama dengan berkas ekspor): nomor tracking wajib, lalu status dan disposisi; laporan baru juga memerlukan unit, jenis, kategori, kerahasiaan, judul dan isi. Mengimpor berkas yang sama dua kali tidak mengubah apa pun.',
  'lapor.import_file': 'Berkas CSV',
  'lapor.import_button': 'Impor',
  'lapor.result':
    '{matched} cocok ({updated} diperbarui, {unchanged} tidak berubah), {created} tiket baru, {rejected} ditolak.',
  'lapor.bad_tracking_number': 'Nomor tracking LAPOR! kosong atau tidak sah (3–40 huruf, angka, tanda hubung).',
  'lapor.unknown_ticket': 'Tiket {code} tidak ada atau di luar cakupan Anda.',
  'lapor.linked_elsewhere': 'Tiket ini sudah terhubung ke laporan LAPOR! {number}.',
  'lapor.number_taken': 'Nomor tracking {number} sudah terhubung ke tiket lain.',
  'lapor.unit_required': 'Laporan baru memerlukan kode_unit.',
  'lapor.unknown_kind': 'Jenis "{value}" tidak dikenal: pengaduan, aspirasi, permintaan_informasi, atau apresiasi.',
  'lapor.unknown_privacy': 'Kerahasiaan "{value}" tidak dikenal: publik, anonim, atau rahasia.',
  'inbox.action.lapor': 'Status SP4N-LAPOR!',
  'audit.action.lapor.export': 'Mengekspor tiket untuk SP4N-LAPOR!',
  'audit.action.lapor.import': 'Mengimpor berkas SP4N-LAPOR!',
};

const en: Record<keyof typeof id, string> = {
  'lapor.title': 'SP4N-LAPOR! hand-over',
  'lapor.lead':
    'Export the tickets you may see with SP4N-LAPOR!’s columns, and import statuses and dispositions from a LAPOR! file. Every export and import is written to the audit log.',
  'lapor.export': 'Export',
  'lapor.export_help': 'Leave every field empty to export the latest tickets (at most 1000).',
  'lapor.from': 'Received from (date)',
  'lapor.to': 'Received until (date)',
  'lapor.codes': 'Ticket codes (comma-separated)',
  'lapor.format': 'File format',
  'lapor.download': 'Download',
  'lapor.import': 'Import from LAPOR!',
  'lapor.import_help':
    'A CSV file with a header row like the one below (the same as the export’s): the tracking number is required, then status and disposition; new reports also need the unit, kind, category, privacy, title and content. Importing the same file twice changes nothing.',
  'lapor.import_file': 'CSV file',
  'lapor.import_button': 'Import',
  'lapor.result':
    '{matched} matched ({updated} updated, {unchanged} unchanged), {created} new tickets, {rejected} refused.',
  'lapor.bad_tracking_number': 'The LAPOR! tracking number is empty or invalid (3–40 letters, digits, hyphens).',
  'lapor.unknown_ticket': 'Ticket {code} does not exist or is outside your scope.',
  'lapor.linked_elsewhere': 'This ticket is already linked to LAPOR! report {number}.',
  'lapor.number_taken': 'Tracking number {number} is already linked to another ticket.',
  'lapor.unit_required': 'A new report needs kode_unit.',
  'lapor.unknown_kind': 'Unknown kind "{value}": pengaduan, aspirasi, permintaan_informasi or apresiasi.',
  'lapor.unknown_privacy': 'Unknown privacy "{value}": publik, anonim or rahasia.',
  'inbox.action.lapor': 'SP4N-LAPOR! status',
  'audit.action.lapor.export': 'Exported tickets for SP4N-LAPOR!',
  'audit.action.lapor.import': 'Imported an SP4N-LAPOR! file',
};

export default { id, en };
