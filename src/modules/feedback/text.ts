/**
 * Text of tickets: search tokens (normalised, stemmed Indonesian words, for an ordinary multikey index — no text
 * index, DESIGN.md section 5) and scrubbing of personal data from text that others will see (section 8).
 */

const STOPWORDS = new Set(
  (
    'yang dan di ke dari ini itu untuk dengan pada adalah ada tidak sudah belum akan juga atau karena saya kami kita ' +
    'anda mereka dia ia nya pak bu bapak ibu saat sangat sekali lagi hanya bisa dapat harus oleh dalam sebagai jadi ' +
    'agar supaya tapi tetapi namun maka sehingga lalu kemudian masih telah para pun apa siapa bagaimana kenapa mengapa ' +
    'the a an of to in on at is are was were be and or for with not no'
  ).split(' '),
);

/** Prefixes in the order they are tried, with what the root starts with again (meny-apu → sapu, men-ulis → tulis). */
const prefixRules: [RegExp, string][] = [
  [/^(di|ke|se)/, ''],
  [/^(ter|ber|bel|per)/, ''],
  [/^(meny|peny)(?=[aiueo])/, 's'],
  [/^(meng|peng)/, ''],
  [/^(mem|pem)(?=[aiueo])/, 'p'],
  [/^(mem|pem)/, ''],
  [/^(men|pen)(?=[aiueo])/, 't'],
  [/^(men|pen)/, ''],
  [/^(me|pe)/, ''],
];

/** A light Indonesian stemmer (after Nazief–Adriani): particles, possessives, then one suffix and up to two prefixes. */
export function stem(word: string): string {
  let w = word;
  const strip = (pattern: RegExp, replacement = '', minimum = 3) => {
    const next = w.replace(pattern, replacement);
    if (next.length >= minimum) w = next;
  };
  strip(/(lah|kah|tah|pun)$/);
  strip(/(ku|mu|nya)$/);
  strip(/(kan|an|i)$/, '', 4); // "jalan" stays "jalan", "layanan" becomes "layan"
  for (let round = 0; round < 2; round++) {
    const before = w;
    const rule = prefixRules.find(([pattern]) => pattern.test(w));
    if (rule) strip(rule[0], rule[1]);
    if (w === before) break;
  }
  return w;
}

/** Numbers long enough to be a phone, NIK or account number never become tokens. */
const looksPersonal = (word: string) => /\d{6,}/.test(word) || word.includes('@');

export function searchTokens(...texts: (string | null | undefined)[]): string[] {
  const tokens = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    const words = text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .split(/[^a-z0-9@.]+/)
      .map((word) => word.replace(/^\.+|\.+$/g, ''));
    for (const word of words) {
      if (word.length < 3 || STOPWORDS.has(word) || looksPersonal(word)) continue;
      tokens.add(/^\d+$/.test(word) ? word : stem(word));
      if (tokens.size >= 200) return [...tokens];
    }
  }
  return [...tokens];
}

/**
 * Removes what would identify a citizen from text shown to others: e-mail addresses, phone numbers (+62/08…), and
 * 16-digit NIKs (and any long digit run, which may be an account number).
 */
export function scrubPersonalData(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[e-mail]')
    .replace(/(?:\+?62|\b0)[\s.-]?8\d(?:[\s.-]?\d){6,11}\b/g, '[telepon]')
    .replace(/\b\d(?:[\s.-]?\d){11,}\b/g, '[nomor]');
}
