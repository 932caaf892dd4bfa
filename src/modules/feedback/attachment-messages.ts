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
};

export default { id, en };
