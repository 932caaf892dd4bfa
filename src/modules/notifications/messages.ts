/** Strings of the notifications module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'notifications.title': 'Pemberitahuan',
};

const en: Record<keyof typeof id, string> = {
  'notifications.title': 'Notifications',
};

export default { id, en };
