/** Strings of sign-in and roles. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'auth.title': 'Masuk petugas',
  'auth.email': 'E-mail',
  'auth.password': 'Kata sandi',
  'auth.submit': 'Masuk',
  'auth.invalid': 'E-mail atau kata sandi salah.',
  'auth.locked': 'Terlalu banyak percobaan gagal. Akun dikunci sementara; coba lagi dalam {seconds} detik.',
  'auth.disabled': 'Akun ini dinonaktifkan.',
  'auth.signed_out': 'Anda sudah keluar.',
  'role.admin': 'Admin',
  'role.unit_head': 'Kepala unit',
  'role.handler': 'Petugas penanganan',
  'role.coach': 'Pembina',
  'role.officer': 'Pegawai (ASN)',
  'role.viewer': 'Pemantau',
};

const en: Record<keyof typeof id, string> = {
  'auth.title': 'Staff sign-in',
  'auth.email': 'E-mail',
  'auth.password': 'Password',
  'auth.submit': 'Sign in',
  'auth.invalid': 'Wrong e-mail or password.',
  'auth.locked': 'Too many failed attempts. The account is locked for now; try again in {seconds} seconds.',
  'auth.disabled': 'This account is disabled.',
  'auth.signed_out': 'You have signed out.',
  'role.admin': 'Admin',
  'role.unit_head': 'Unit head',
  'role.handler': 'Handler',
  'role.coach': 'Coach',
  'role.officer': 'Officer (ASN)',
  'role.viewer': 'Viewer',
};

export default { id, en };
