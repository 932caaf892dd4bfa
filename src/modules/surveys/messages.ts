/** Strings of the surveys module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'surveys.title': 'Survei kepuasan masyarakat',
};

const en: Record<keyof typeof id, string> = {
  'surveys.title': 'Public satisfaction survey',
};

export default { id, en };
