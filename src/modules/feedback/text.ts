/**
 * Text of tickets: search tokens (normalised, stemmed Indonesian words, for an ordinary multikey index — no text
 * index, docs/architecture.md#database-dialect) and scrubbing of personal data from text that others will see (section 8).
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

const DOT = 0x2e;

/** Leading and trailing dots off a word, by index: `/\.+$/` backtracks over long runs of dots. */
function trimDots(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && word.charCodeAt(start) === DOT) start++;
  while (end > start && word.charCodeAt(end - 1) === DOT) end--;
  return word.slice(start, end);
}

export function searchTokens(...texts: (string | null | undefined)[]): string[] {
  const tokens = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    const words = text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .split(/[^a-z0-9@.]+/)
      .map(trimDots);
    for (const word of words) {
      if (word.length < 3 || STOPWORDS.has(word) || looksPersonal(word)) continue;
      tokens.add(/^\d+$/.test(word) ? word : stem(word));
      if (tokens.size >= 200) return [...tokens];
    }
  }
  return [...tokens];
}

// ---------------------------------------------------------------------------------------------------------------
// Scrubbing, in linear time: a citizen's 4,000 characters of digits and dots must cost what ordinary prose costs.

const PLUS = 0x2b;
const HYPHEN = 0x2d;
const AT = 0x40;
const UNDERSCORE = 0x5f;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** A word character as `\w` and `\b` see it: ASCII letters, digits and the underscore. */
const isWord = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === UNDERSCORE;
const isLocalPart = (c: number) => isWord(c) || c === DOT || c === PLUS || c === HYPHEN;
const isDomainPart = (c: number) => isWord(c) || c === HYPHEN;
/** What `\s` matches, by code unit. */
const isSpace = (c: number) =>
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
  (c >= 0xa0 &&
    (c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff));
const isSeparator = (text: string, at: number) => {
  const c = text.charCodeAt(at);
  return c === DOT || c === HYPHEN || isSpace(c);
};
/** `\b` right after a digit: the text ends or a non-word character follows. */
const endsWord = (text: string, at: number) => at >= text.length || !isWord(text.charCodeAt(at));
/** `\b` right before a word character at `at`. */
const startsWord = (text: string, at: number) => at === 0 || !isWord(text.charCodeAt(at - 1));

/**
 * Where the digit groups after `at` end: each an optional separator (space, dot, hyphen) and a digit, as many as
 * follow (at most `limit`). ends[k - 1] is the index just after the k-th group's digit.
 */
function digitGroups(text: string, at: number, limit: number): number[] {
  const ends: number[] = [];
  let i = at;
  while (ends.length < limit) {
    if (isDigit(text.charCodeAt(i))) i += 1;
    else if (isSeparator(text, i) && isDigit(text.charCodeAt(i + 1))) i += 2;
    else break;
    ends.push(i);
  }
  return ends;
}

/** The longest run of at least `least` groups that ends a word, as the greedy `(?:[\s.-]?\d){least,}\b` takes it. */
function wordEnd(text: string, ends: number[], least: number): number {
  for (let k = ends.length; k >= least; k--) if (endsWord(text, ends[k - 1]!)) return ends[k - 1]!;
  return -1;
}

/** Where the next match may start, when there is none here: negative, so that a scan allocates nothing. */
const noMatch = (next: number) => -1 - next;

/**
 * Rebuilds `text` with each match replaced by `label`, left to right, never overlapping. `matchAt` answers the end of
 * the match at `at`, or `noMatch(next)`.
 */
function replaceEach(text: string, label: string, matchAt: (text: string, at: number) => number): string {
  let out = '';
  let copied = 0;
  let at = 0;
  while (at < text.length) {
    const end = matchAt(text, at);
    if (end < 0) {
      at = -1 - end;
      continue;
    }
    out += text.slice(copied, at) + label;
    copied = at = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `[\w.+-]+@[\w-]+(\.[\w-]+)+`: an address starts where its run of local-part characters starts, so a run that
 * is not followed by "@" and a dotted domain is skipped whole.
 */
function emailAt(text: string, at: number): number {
  if (!isLocalPart(text.charCodeAt(at))) return noMatch(at + 1);
  let i = at;
  while (isLocalPart(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== AT) return noMatch(i);
  let end = i + 1;
  while (isDomainPart(text.charCodeAt(end))) end++;
  if (end === i + 1) return noMatch(i);
  let labels = 0;
  while (text.charCodeAt(end) === DOT && isDomainPart(text.charCodeAt(end + 1))) {
    end += 1;
    while (isDomainPart(text.charCodeAt(end))) end++;
    labels++;
  }
  return labels > 0 ? end : noMatch(i);
}

/** `(?:\+?62|\b0)[\s.-]?8\d(?:[\s.-]?\d){6,11}\b`: an Indonesian mobile number; at most 27 characters from `at`. */
function phoneAt(text: string, at: number): number {
  const first = text.charCodeAt(at);
  let i = at;
  if (first === PLUS && text.charCodeAt(at + 1) === 0x36 && text.charCodeAt(at + 2) === 0x32) i += 3;
  else if (first === 0x36 && text.charCodeAt(at + 1) === 0x32) i += 2;
  else if (first === 0x30 && startsWord(text, at)) i += 1;
  else return noMatch(at + 1);
  if (isSeparator(text, i)) i++;
  if (text.charCodeAt(i) !== 0x38 || !isDigit(text.charCodeAt(i + 1))) return noMatch(at + 1);
  const end = wordEnd(text, digitGroups(text, i + 2, 11), 6);
  return end < 0 ? noMatch(at + 1) : end;
}

/**
 * `\b\d(?:[\s.-]?\d){11,}\b`: twelve or more digits, separators allowed. When a run fails from its first digit,
 * it fails from every later digit too (the same word ends, fewer groups), so the scan goes on after the run.
 */
function longNumberAt(text: string, at: number): number {
  if (!isDigit(text.charCodeAt(at)) || !startsWord(text, at)) return noMatch(at + 1);
  const ends = digitGroups(text, at + 1, Infinity);
  const end = wordEnd(text, ends, 11);
  return end < 0 ? noMatch(ends.at(-1) ?? at + 1) : end;
}

/**
 * Removes what would identify a citizen from text shown to others: e-mail addresses, phone numbers (+62/08…), and
 * 16-digit NIKs (and any long digit run, which may be an account number). Three left-to-right scans, in that order,
 * each linear in the length of the text.
 */
export function scrubPersonalData(text: string): string {
  const withoutEmails = replaceEach(text, '[e-mail]', emailAt);
  const withoutPhones = replaceEach(withoutEmails, '[telepon]', phoneAt);
  return replaceEach(withoutPhones, '[nomor]', longNumberAt);
}
