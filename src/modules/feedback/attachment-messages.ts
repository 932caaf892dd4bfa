/** Strings of ticket attachments. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'attachment.empty': 'Berkas "{name}" kosong.',
  'attachment.too_large': 'Berkas "{name}" terlalu besar: maksimal {maxMb} MB per berkas.',
  'attachment.too_many': 'Terlalu banyak berkas: maksimal {max}.',
  'attachment.type': 'Berkas "{name}" bukan foto (JPEG, PNG, WebP) atau PDF.',
  'attachment.damaged': 'Berkas "{name}" rusak atau tidak lengkap. Coba kirim ulang.',
  'attachment.unexpected': 'Berkas dikirim lewat kolom yang tidak dikenal.',
  'attachment.malformed': 'Unggahan tidak dapat dibaca. Coba kirim ulang formulir.',
  'attachment.metadata_kept': 'Metadata PDF tidak dapat dihapus otomatis; periksa sebelum dibagikan.',
  'attachment.pdf_not_cleanable':
    'Metadata PDF "{name}" (nama penulis, aplikasi, tanggal) tidak dapat dihapus dengan aman, misalnya karena berkasnya terkunci sandi. Simpan ulang sebagai PDF baru tanpa sandi, atau kirim fotonya.',
  'attachment.too_many_pixels':
    'Gambar "{name}" terlalu besar: paling banyak {maxMegapixels} megapiksel dan {maxSide} piksel per sisi. Perkecil lalu kirim ulang.',
  'attachment.store_unavailable':
    'Lampiran tidak dapat disimpan atau dibuka saat ini. Laporan belum terkirim dan tidak ada yang hilang; coba lagi sebentar lagi.',
};

const en: Record<keyof typeof id, string> = {
  'attachment.empty': 'The file "{name}" is empty.',
  'attachment.too_large': 'The file "{name}" is too large: at most {maxMb} MB per file.',
  'attachment.too_many': 'Too many files: at most {max}.',
  'attachment.type': 'The file "{name}" is not a photo (JPEG, PNG, WebP) or a PDF.',
  'attachment.damaged': 'The file "{name}" is damaged or incomplete. Try sending it again.',
  'attachment.unexpected': 'A file was sent in an unknown field.',
  'attachment.malformed': 'The upload could not be read. Try sending the form again.',
  'attachment.metadata_kept': 'The metadata of a PDF cannot be removed automatically; check it before sharing.',
  'attachment.pdf_not_cleanable':
    'The metadata of the PDF "{name}" (author name, application, dates) cannot be removed safely, for instance because the file is password-protected. Save it again as a new PDF without a password, or send a photo of it.',
  'attachment.too_many_pixels':
    'The image "{name}" is too large: at most {maxMegapixels} megapixels and {maxSide} pixels a side. Make it smaller and send it again.',
  'attachment.store_unavailable':
    'Attachments cannot be stored or opened right now. Nothing was sent and nothing is lost; please try again shortly.',
};

export default { id, en };
