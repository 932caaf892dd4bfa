import type { Random } from './random.js';

/**
 * Indonesian text for generated tickets: templates per kind and category, filled in with the unit's own services,
 * counters and neighbourhoods, so that descriptions read like what citizens write and vary enough for search tokens
 * and text indexes to behave as on real data.
 */
export interface TextContext {
  unitName: string;
  serviceName: string | null;
  counterName: string | null;
  place: string;
  waitMinutes: number | null;
}

const days = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat'];
const amounts = ['Rp 20.000', 'Rp 50.000', 'Rp 100.000', 'Rp 150.000', 'Rp 250.000', 'Rp 500.000'];
const people = [
  'ibu saya',
  'bapak saya',
  'anak saya',
  'nenek saya',
  'suami saya',
  'istri saya',
  'saya',
  'tetangga saya',
];
const closers = [
  'Mohon ditindaklanjuti.',
  'Tolong diperbaiki.',
  'Terima kasih.',
  'Semoga tidak terulang lagi.',
  'Mohon perhatian pimpinan.',
  'Kami berharap pelayanan bisa lebih baik.',
  '',
  '',
];

type Template = (c: Filled) => string;
interface Filled extends TextContext {
  service: string;
  counter: string;
  day: string;
  time: string;
  amount: string;
  person: string;
  hours: string;
  days: number;
}

export const complaintTemplates: Record<string, Template[]> = {
  waiting_time: [
    (c) =>
      `Saya antre di ${c.counter} ${c.unitName} sejak ${c.time} untuk ${c.service}, baru dipanggil setelah ${c.hours}. Nomor antrean tidak dipanggil berurutan.`,
    (c) =>
      `Menunggu ${c.waitMinutes ?? 90} menit untuk ${c.service} hari ${c.day}. Ruang tunggu penuh, petugas di ${c.counter} hanya satu orang.`,
    (c) =>
      `Hari ${c.day} ${c.person} datang dari ${c.place} jam ${c.time}, menunggu lebih dari ${c.hours} di ${c.counter}. Tidak ada informasi kapan dipanggil.`,
    (c) =>
      `Antrean ${c.service} sangat lama, sudah ${c.waitMinutes ?? 120} menit belum juga dilayani. Banyak lansia berdiri karena kursi kurang.`,
    (c) =>
      `Loket ${c.service} baru buka jam 09.00 padahal jadwal jam 07.30. Kami menunggu ${c.hours} tanpa penjelasan.`,
  ],
  slow_processing: [
    (c) =>
      `Berkas ${c.service} saya masukkan ${c.days} hari kerja yang lalu di ${c.unitName}, sampai sekarang belum selesai. Setiap ditanya jawabannya masih proses.`,
    (c) =>
      `Pengurusan ${c.service} sudah lewat dari standar pelayanan. Sudah tiga kali datang dari ${c.place}, disuruh kembali minggu depan.`,
    (c) => `Status permohonan ${c.service} tidak berubah selama ${c.days} hari. Mohon kejelasan kapan selesai.`,
    (c) =>
      `Hasil ${c.service} dijanjikan selesai hari ${c.day}, ternyata belum juga jadi. Kami harus bolak-balik dan kehilangan hari kerja.`,
  ],
  officer_conduct: [
    (c) =>
      `Petugas di ${c.counter} membentak ${c.person} yang bertanya soal ${c.service}. Sikapnya sangat tidak ramah.`,
    (c) =>
      `Petugas ${c.service} sibuk bermain telepon genggam saat antrean panjang, warga dibiarkan menunggu di ${c.counter}.`,
    (c) =>
      `Saat ${c.person} minta penjelasan syarat ${c.service}, petugas menjawab ketus dan menyuruh membaca sendiri.`,
    (c) => `Petugas datang terlambat hari ${c.day} dan merokok di area pelayanan ${c.unitName}.`,
  ],
  competence: [
    (c) => `Petugas tidak bisa menjelaskan persyaratan ${c.service}; jawaban berbeda-beda setiap kali ditanya.`,
    (c) => `Data pada ${c.service} saya salah ketik nama dan tanggal lahir, harus diulang dari awal.`,
    (c) => `Petugas di ${c.counter} salah memberi informasi sehingga ${c.person} datang sia-sia dari ${c.place}.`,
  ],
  illegal_fee: [
    (c) => `Diminta uang ${c.amount} agar ${c.service} cepat selesai, padahal layanan ini gratis.`,
    (c) => `Ada oknum di sekitar ${c.counter} yang menawarkan jasa percepatan ${c.service} dengan biaya ${c.amount}.`,
    (c) => `${c.person} diminta ${c.amount} "uang administrasi" untuk ${c.service} tanpa kuitansi.`,
    (c) => `Petugas meminta imbalan ${c.amount} supaya berkas ${c.service} didahulukan.`,
  ],
  procedure: [
    (c) =>
      `Persyaratan ${c.service} di papan informasi berbeda dengan yang diminta petugas. Kami harus pulang ke ${c.place} mengambil berkas lagi.`,
    (c) => `Alur pelayanan ${c.service} membingungkan, harus ke ${c.counter} lalu ke lantai dua lalu kembali lagi.`,
    (c) => `Kenapa untuk ${c.service} masih diminta fotokopi KK dan KTP padahal data sudah ada di sistem?`,
  ],
  discrimination: [
    (c) => `Warga yang kenal petugas didahulukan di ${c.counter}, kami yang antre sejak ${c.time} dilewati.`,
    (c) => `${c.person} yang memakai kursi roda tidak dibantu dan disuruh antre di luar.`,
  ],
  service_refused: [
    (c) =>
      `${c.person} ditolak di ${c.counter} untuk ${c.service} dengan alasan kuota hari ini sudah habis, padahal baru jam ${c.time}.`,
    (c) => `Permohonan ${c.service} ditolak tanpa alasan tertulis. Kami tidak tahu harus bagaimana.`,
  ],
  facilities: [
    (c) => `Atap ruang tunggu ${c.unitName} bocor saat hujan, lantai licin dan berbahaya untuk lansia.`,
    (c) => `Toilet di ${c.unitName} kotor dan tidak ada air. Kipas angin di ruang tunggu mati.`,
    (c) => `Parkir di ${c.unitName} sempit dan tukang parkir meminta bayaran lebih.`,
    (c) => `Kursi di ruang tunggu ${c.counter} kurang, banyak yang berdiri lebih dari ${c.hours}.`,
    (c) => `Tidak ada jalur landai untuk kursi roda di pintu masuk ${c.unitName}.`,
  ],
  digital_service: [
    (c) => `Aplikasi antrean daring ${c.unitName} error sejak pagi, nomor antrean tidak bisa diambil.`,
    (c) => `Pendaftaran daring ${c.service} selalu gagal di langkah unggah berkas.`,
    (c) => `Nomor WhatsApp layanan ${c.unitName} tidak pernah membalas pesan.`,
  ],
  other: [
    (c) => `Jam pelayanan ${c.unitName} tidak sesuai dengan yang diumumkan. Hari ${c.day} sudah tutup jam 12.00.`,
    (c) => `Informasi di papan pengumuman ${c.unitName} sudah usang dan membingungkan warga dari ${c.place}.`,
  ],
};

export const complimentTemplates: Record<string, Template[]> = {
  officer_conduct: [
    (c) => `Petugas di ${c.counter} sangat sabar dan ramah menjelaskan ${c.service} kepada ${c.person}. Terima kasih.`,
    (c) => `Terima kasih kepada petugas ${c.service} yang membantu ${c.person} yang sudah lanjut usia sampai selesai.`,
    (c) => `Pelayanan di ${c.unitName} hari ${c.day} sangat baik, petugas sopan dan cekatan.`,
  ],
  competence: [
    (c) => `Petugas ${c.service} menjelaskan persyaratan dengan jelas, semua selesai dalam satu kali datang.`,
    (c) => `${c.service} selesai lebih cepat dari jadwal. Petugasnya paham betul prosedurnya.`,
  ],
  facilities: [(c) => `Ruang tunggu ${c.unitName} sekarang bersih dan nyaman, ada pojok bermain untuk anak.`],
  digital_service: [(c) => `Antrean daring ${c.unitName} sangat membantu, tidak perlu datang subuh lagi.`],
  other: [(c) => `Terima kasih ${c.unitName}, pelayanan sekarang jauh lebih baik dari tahun lalu.`],
};

export const suggestionTemplates: Record<string, Template[]> = {
  waiting_time: [
    (c) => `Mohon ditambah petugas di ${c.counter} pada hari Senin, antrean ${c.service} selalu paling panjang.`,
    (c) => `Sebaiknya ada layar nomor antrean di ${c.counter} supaya warga tahu kapan dipanggil.`,
  ],
  procedure: [
    (c) => `Mohon daftar persyaratan ${c.service} diumumkan di media sosial ${c.unitName}.`,
    (c) => `Sebaiknya berkas ${c.service} bisa dikirim lewat surel agar warga ${c.place} tidak perlu datang dua kali.`,
  ],
  facilities: [
    (c) => `Mohon disediakan kursi prioritas untuk lansia dan ibu hamil di ruang tunggu ${c.unitName}.`,
    (c) => `Perlu tempat parkir sepeda motor yang beratap di ${c.unitName}.`,
  ],
  digital_service: [
    (c) => `Mohon ada antrean daring untuk ${c.service} supaya tidak perlu datang subuh mengambil nomor.`,
    (c) => `Sebaiknya status berkas ${c.service} bisa dicek lewat WhatsApp.`,
  ],
  other: [(c) => `Jam pelayanan ${c.unitName} sebaiknya diperpanjang sampai sore untuk pekerja.`],
};

export const informationTemplates: Template[] = [
  (c) => `Apa saja persyaratan ${c.service} untuk warga pindahan dari luar daerah?`,
  (c) => `Apakah ${c.service} bisa diurus pada hari Sabtu?`,
  (c) => `Berapa lama waktu penyelesaian ${c.service} dan apakah ada biayanya?`,
  (c) => `Apakah pendaftaran ${c.service} bisa dilakukan lewat telepon atau WhatsApp?`,
  (c) => `Di mana lokasi ${c.counter} ${c.unitName} dan jam berapa buka?`,
];

const replies: Record<string, string[]> = {
  complaint: [
    'Terima kasih atas laporan Anda. Kami sudah menambah petugas pada jam sibuk dan memperbaiki urutan panggilan antrean.',
    'Laporan Anda sudah kami tindak lanjuti. Petugas yang bersangkutan telah diberi pembinaan oleh kepala unit.',
    'Mohon maaf atas ketidaknyamanannya. Berkas Anda sudah selesai dan dapat diambil di loket pada hari kerja.',
    'Terima kasih. Fasilitas yang Anda laporkan sudah diperbaiki minggu ini.',
    'Kami telah memeriksa laporan Anda dan memperbaiki prosedur di loket. Terima kasih atas masukannya.',
  ],
  compliment: [
    'Terima kasih atas apresiasinya, akan kami sampaikan kepada petugas yang bersangkutan.',
    'Terima kasih, pujian Anda menjadi semangat bagi kami untuk terus melayani dengan baik.',
  ],
  suggestion: [
    'Terima kasih atas sarannya. Usulan Anda kami masukkan dalam rencana perbaikan layanan tahun ini.',
    'Saran Anda sudah kami teruskan kepada pimpinan dan akan dibahas dalam rapat evaluasi layanan.',
  ],
  information_request: [
    'Persyaratannya: KTP-el, Kartu Keluarga, dan formulir yang tersedia di loket. Layanan ini tidak dipungut biaya.',
    'Layanan buka Senin–Kamis pukul 07.30–15.00 dan Jumat pukul 07.30–11.30. Sabtu tutup.',
    'Pendaftaran dapat dilakukan melalui WhatsApp resmi pada hari kerja. Penyelesaian paling lama 3 hari kerja.',
  ],
};

export const askTexts = [
  'Mohon lengkapi nomor antrean atau tanggal kejadian agar kami dapat menelusuri laporan Anda.',
  'Mohon kirimkan foto bukti atau keterangan loket yang Anda maksud.',
];

export const findingNotes = [
  'Sudah diklarifikasi dengan petugas; yang bersangkutan mengakui dan diberi pembinaan.',
  'Terbukti dari rekaman CCTV dan keterangan dua saksi.',
  'Sebagian terbukti: keterlambatan benar, sikap tidak sopan tidak terbukti.',
  'Tidak cukup bukti; petugas sedang bertugas di loket lain saat kejadian.',
  'Dibahas dalam dialog kinerja; petugas akan mengikuti pelatihan Pelayanan Prima.',
];

export const ratingComments = [
  'Terima kasih, sudah ditangani.',
  'Jawaban cepat dan jelas.',
  'Masalah belum sepenuhnya selesai.',
  'Lumayan, tapi terlalu lama.',
  null,
  null,
  null,
];

export const surveyComments = [
  'Pelayanan cepat dan ramah.',
  'Antrean masih terlalu lama.',
  'Ruang tunggu panas, mohon ditambah kipas.',
  'Petugas sangat membantu.',
  'Persyaratan kurang jelas.',
  'Sudah bagus, pertahankan.',
  'Parkir sempit.',
  'Mohon ditambah loket pada hari Senin.',
];

export const placesByAgency: Record<string, string[]> = {
  JAMBI: [
    'Kebun Handil',
    'Telanaipura',
    'Kota Baru',
    'Jelutung',
    'Paal Merah',
    'Alam Barajo',
    'Danau Sipin',
    'Pasar Jambi',
  ],
  SAWAHLUNTO: ['Talawi', 'Barangin', 'Silungkang', 'Lembah Segar', 'Kolok', 'Muaro Kalaban'],
  AMBON: ['Sirimau', 'Nusaniwe', 'Baguala', 'Teluk Ambon', 'Leitimur Selatan', 'Passo', 'Batu Merah'],
};
const fallbackPlaces = ['kelurahan sebelah', 'kecamatan lain', 'desa seberang'];

export function placesFor(agencyCode: string): string[] {
  return placesByAgency[agencyCode] ?? fallbackPlaces;
}

function fill(random: Random, context: TextContext): Filled {
  const minutes = context.waitMinutes ?? random.between(60, 240);
  const hours = minutes >= 90 ? `${Math.round(minutes / 30) / 2} jam`.replace('.', ',') : `${minutes} menit`;
  return {
    ...context,
    service: context.serviceName ? context.serviceName.toLowerCase() : 'layanan',
    counter: context.counterName ?? 'loket pelayanan',
    day: random.pick(days),
    time: `${String(random.between(6, 9)).padStart(2, '0')}.${random.pick(['00', '15', '30', '45'])}`,
    amount: random.pick(amounts),
    person: random.pick(people),
    hours,
    days: random.between(5, 30),
  };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The citizen's description for a ticket of this kind and category. */
export function describe(random: Random, kind: string, category: string | null, context: TextContext): string {
  const filled = fill(random, context);
  let templates: Template[];
  if (kind === 'complaint') templates = complaintTemplates[category ?? 'other'] ?? complaintTemplates.other!;
  else if (kind === 'compliment') templates = complimentTemplates[category ?? 'other'] ?? complimentTemplates.other!;
  else if (kind === 'suggestion') templates = suggestionTemplates[category ?? 'other'] ?? suggestionTemplates.other!;
  else templates = informationTemplates;
  const closer = kind === 'complaint' ? random.pick(closers) : '';
  return capitalise(random.pick(templates)(filled) + (closer ? ` ${closer}` : ''));
}

export function replyFor(random: Random, kind: string): string {
  return random.pick(replies[kind] ?? replies.complaint!);
}
