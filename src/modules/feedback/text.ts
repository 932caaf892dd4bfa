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

/** A light Indonesian stemmer (after Nazief–Adriani): particles, possessives, then one suffix and up to two prefixes. */
export function stem(word: string): string {
  let w = word;
  const strip = (pattern: RegExp, minimum = 3) => {
    const next = w.replace(pattern, '');
    if (next.length >= minimum) w = next;
  };
  strip(/(lah|kah|tah|pun)$/);
  strip(/(ku|mu|nya)$/);
  strip(/(kan|an|i)$/, 4); // "jalan" stays "jalan", "layanan" becomes "layan"
  for (let round = 0; round < 2; round++) {
    const before = w;
    if (/^(di|ke|se)/.test(w)) strip(/^(di|ke|se)/);
    else if (/^(ter|ber|bel|per)/.test(w)) strip(/^(ter|ber|bel|per)/);
    else if (/^meny/.test(w)) strip(/^meny/), (w = w.length >= 3 && before !== w ? 's' + w : w);
    else if (/^peny/.test(w)) strip(/^peny/), (w = w.length >= 3 && before !== w ? 's' + w : w);
    else if (/^(meng|peng)/.test(w)) strip(/^(meng|peng)/);
    else if (/^(mem|pem)[aiueo]/.test(w)) (strip(/^(mem|pem)/), (w = before !== w ? 'p' + w : w));
    else if (/^(mem|pem)/.test(w)) strip(/^(mem|pem)/);
    else if (/^(men|pen)[aiueo]/.test(w)) (strip(/^(men|pen)/), (w = before !== w ? 't' + w : w));
    else if (/^(men|pen)/.test(w)) strip(/^(men|pen)/);
    else if (/^(me|pe)/.test(w)) strip(/^(me|pe)/);
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
