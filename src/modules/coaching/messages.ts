/** Strings of the coaching module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'coaching.title': 'Pembinaan pegawai',
};

const en: Record<keyof typeof id, string> = {
  'coaching.title': 'Officer coaching',
};

export default { id, en };
