/** Strings of the analytics module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'analytics.title': 'Analitik layanan',
};

const en: Record<keyof typeof id, string> = {
  'analytics.title': 'Service analytics',
};

export default { id, en };
