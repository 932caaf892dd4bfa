/** Strings of the directory: NIP rules, CSV import, unit and officer errors. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'nip.length': 'NIP harus 18 digit angka.',
  'nip.birth_date': 'Tanggal lahir dalam NIP (digit 1–8) bukan tanggal yang ada.',
  'nip.appointment': 'Bulan/tahun pengangkatan dalam NIP (digit 9–14) tidak valid.',
  'nip.too_young': 'Pengangkatan dalam NIP sebelum usia 18 tahun.',
  'nip.future': 'Pengangkatan dalam NIP berada di masa depan.',
  'nip.sex': 'Digit jenis kelamin NIP (digit 15) harus 1 atau 2.',
  'nip.sequence': 'Nomor urut NIP (digit 16–18) tidak boleh 000.',
  'nip.scientific': 'NIP tampaknya diubah spreadsheet menjadi notasi ilmiah; format kolom NIP sebagai teks.',
  'import.unknown_unit': 'Kode unit "{code}" tidak dikenal atau di luar cakupan Anda.',
  'import.unknown_parent': 'Kode unit induk "{code}" tidak dikenal.',
  'import.duplicate_in_file': 'Duplikat dari baris {line}.',
  'import.empty_name': 'Nama kosong.',
  'import.bad_code': 'Kode harus huruf besar, angka, dan tanda hubung (2–40 karakter).',
  'import.bad_time_zone': 'Zona waktu harus Asia/Jakarta (WIB), Asia/Makassar (WITA), atau Asia/Jayapura (WIT).',
  'directory.unit_exists': 'Kode unit sudah dipakai.',
  'directory.officer_exists': 'NIP sudah terdaftar.',
  'directory.service_exists': 'Kode layanan sudah dipakai di unit ini.',
  'directory.parent_cycle': 'Unit tidak boleh menjadi induk dari dirinya sendiri.',
};

const en: Record<keyof typeof id, string> = {
  'nip.length': 'A NIP is 18 digits.',
  'nip.birth_date': 'The birth date in the NIP (digits 1–8) is not a real date.',
  'nip.appointment': 'The appointment month/year in the NIP (digits 9–14) is not valid.',
  'nip.too_young': 'The NIP says the appointment came before age 18.',
  'nip.future': 'The NIP says the appointment is in the future.',
  'nip.sex': 'The sex digit of the NIP (digit 15) must be 1 or 2.',
  'nip.sequence': 'The sequence number of the NIP (digits 16–18) cannot be 000.',
  'nip.scientific': 'The spreadsheet turned this NIP into scientific notation; format the NIP column as text.',
  'import.unknown_unit': 'Unit code "{code}" is unknown or outside your scope.',
  'import.unknown_parent': 'Parent unit code "{code}" is unknown.',
  'import.duplicate_in_file': 'Duplicate of line {line}.',
  'import.empty_name': 'Name is empty.',
  'import.bad_code': 'A code is capital letters, digits and hyphens (2–40 characters).',
  'import.bad_time_zone': 'Time zone must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT).',
  'directory.unit_exists': 'This unit code is already used.',
  'directory.officer_exists': 'This NIP is already registered.',
  'directory.service_exists': 'This service code is already used in this unit.',
  'directory.parent_cycle': 'A unit cannot be its own parent.',
};

export default { id, en };
