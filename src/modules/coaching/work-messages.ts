/** Strings of the coaching module's coaching work (sessions, training, evaluations). Bahasa Indonesia first. */
const id = {
  'coaching.work.title': 'Dialog kinerja dan evaluasi',
};

const en: Record<keyof typeof id, string> = {
  'coaching.work.title': 'Coaching and evaluations',
};

export default { id, en };
