/** Strings of the feedback module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'feedback.title': 'Sampaikan pendapat Anda',
};

const en: Record<keyof typeof id, string> = {
  'feedback.title': 'Tell us what happened',
};

export default { id, en };
