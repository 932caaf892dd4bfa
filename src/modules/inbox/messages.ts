/** Strings of the live inbox connection. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'inbox.sign_in': 'Masuk sebagai petugas untuk menerima kotak masuk langsung.',
  'inbox.session_ended': 'Sesi Anda sudah berakhir. Masuk kembali untuk melanjutkan.',
  'inbox.not_watching': 'Buka tiket ini terlebih dahulu.',
  'inbox.too_many_watched': 'Terlalu banyak tiket dibuka sekaligus pada satu koneksi.',
  'inbox.foreign_origin': 'Koneksi dari situs lain ditolak. Buka kotak masuk dari alamat Suara sendiri.',
};

const en: Record<keyof typeof id, string> = {
  'inbox.sign_in': 'Sign in as staff to receive the live inbox.',
  'inbox.session_ended': 'Your session has ended. Sign in again to continue.',
  'inbox.not_watching': 'Open this ticket first.',
  'inbox.too_many_watched': 'Too many tickets open at once on one connection.',
  'inbox.foreign_origin': 'Connections from another site are refused. Open the inbox from Suara’s own address.',
};

export default { id, en };
