/** Strings of the analytics module's pages (reports, trends, display, transparency). Bahasa Indonesia first. */
const id = {
  'analytics.pages.title': 'Laporan dan tren',
};

const en: Record<keyof typeof id, string> = {
  'analytics.pages.title': 'Reports and trends',
};

export default { id, en };
