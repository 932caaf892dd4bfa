/** Strings of the live inbox connection. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'inbox.sign_in': 'Masuk sebagai petugas untuk menerima kotak masuk langsung.',
  'inbox.session_ended': 'Sesi Anda sudah berakhir. Masuk kembali untuk melanjutkan.',
  'inbox.not_watching': 'Buka tiket ini terlebih dahulu.',
  'inbox.too_many_watched': 'Terlalu banyak tiket dibuka sekaligus pada satu koneksi.',
};

const en: Record<keyof typeof id, string> = {
  'inbox.sign_in': 'Sign in as staff to receive the live inbox.',
  'inbox.session_ended': 'Your session has ended. Sign in again to continue.',
  'inbox.not_watching': 'Open this ticket first.',
  'inbox.too_many_watched': 'Too many tickets open at once on one connection.',
};

export default { id, en };
