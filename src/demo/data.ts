/** The demo: three real-shaped local governments. Names are invented; NIPs are valid in form but fictitious. */
export interface DemoUnit {
  code: string;
  name: string;
  kind: string;
  timeZone?: string;
  population?: number;
  counters?: string[];
  head?: { email: string; name: string };
  children?: DemoUnit[];
}

const head = (slug: string, name: string) => ({ email: `kepala.${slug}@suara.test`, name });

export const demoAgencies: DemoUnit[] = [
  {
    code: 'JAMBI',
    name: 'Pemerintah Provinsi Jambi',
    kind: 'agency',
    timeZone: 'Asia/Jakarta',
    children: [
      {
        code: 'JAMBI-DINKES',
        name: 'Dinas Kesehatan Provinsi Jambi',
        kind: 'dinas',
        head: head('dinkes.jambi', 'dr. Fery Kusnandar, M.Kes'),
        children: [
          {
            code: 'JAMBI-PKM-KEBUNHANDIL',
            name: 'Puskesmas Kebun Handil',
            kind: 'puskesmas',
            population: 18000,
            counters: ['Loket Pendaftaran', 'Loket Farmasi'],
            head: head('kebunhandil', 'dr. Siti Aisyah'),
          },
          {
            code: 'JAMBI-PKM-PUTRIAYU',
            name: 'Puskesmas Putri Ayu',
            kind: 'puskesmas',
            population: 15000,
            counters: ['Loket Pendaftaran'],
            head: head('putriayu', 'dr. Andi Pratama'),
          },
          {
            code: 'JAMBI-PKM-SIMPANGKAWAT',
            name: 'Puskesmas Simpang Kawat',
            kind: 'puskesmas',
            population: 12000,
            counters: ['Loket Pendaftaran'],
            head: head('simpangkawat', 'drg. Yuliana Sari'),
          },
        ],
      },
      {
        code: 'JAMBI-DUKCAPIL',
        name: 'Dinas Kependudukan dan Pencatatan Sipil Provinsi Jambi',
        kind: 'dinas',
        population: 40000,
        counters: ['Loket 1', 'Loket 2', 'Loket 3'],
        head: head('dukcapil.jambi', 'Ahmad Fauzi, S.Sos'),
      },
      {
        code: 'JAMBI-DPMPTSP',
        name: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Jambi',
        kind: 'dinas',
        population: 9000,
        counters: ['Loket Informasi', 'Loket Perizinan'],
        head: head('dpmptsp.jambi', 'Ir. Bambang Hermanto'),
      },
      {
        code: 'JAMBI-RSUD',
        name: 'RSUD Raden Mattaher',
        kind: 'rsud',
        population: 60000,
        counters: ['Pendaftaran Rawat Jalan', 'Kasir', 'Farmasi'],
        head: head('rsud.jambi', 'dr. Herlambang, Sp.PD'),
      },
    ],
  },
  {
    code: 'SAWAHLUNTO',
    name: 'Pemerintah Kota Sawahlunto',
    kind: 'agency',
    timeZone: 'Asia/Jakarta',
    children: [
      {
        code: 'SWL-DUKCAPIL',
        name: 'Dinas Kependudukan dan Pencatatan Sipil Kota Sawahlunto',
        kind: 'dinas',
        population: 8000,
        counters: ['Loket 1', 'Loket 2'],
        head: head('dukcapil.sawahlunto', 'Yulia Fitri, S.H.'),
      },
      {
        code: 'SWL-DPMPTSP',
        name: 'DPMPTSP Kota Sawahlunto',
        kind: 'dinas',
        population: 2500,
        counters: ['Loket Perizinan'],
        head: head('dpmptsp.sawahlunto', 'Rahmat Hidayat, S.E.'),
      },
      {
        code: 'SWL-RSUD',
        name: 'RSUD Sawahlunto',
        kind: 'rsud',
        population: 20000,
        counters: ['Pendaftaran', 'Farmasi'],
        head: head('rsud.sawahlunto', 'dr. Novi Andriani'),
      },
    ],
  },
  {
    code: 'AMBON',
    name: 'Pemerintah Kota Ambon',
    kind: 'agency',
    timeZone: 'Asia/Jayapura',
    children: [
      {
        code: 'AMB-DUKCAPIL',
        name: 'Dinas Kependudukan dan Pencatatan Sipil Kota Ambon',
        kind: 'dinas',
        population: 25000,
        counters: ['Loket 1', 'Loket 2'],
        head: head('dukcapil.ambon', 'Johanis Latuconsina, S.STP'),
      },
      {
        code: 'AMB-DINKES',
        name: 'Dinas Kesehatan Kota Ambon',
        kind: 'dinas',
        head: head('dinkes.ambon', 'dr. Maria Pattinasarany'),
        children: [
          {
            code: 'AMB-PKM-RIJALI',
            name: 'Puskesmas Rijali',
            kind: 'puskesmas',
            population: 14000,
            counters: ['Loket Pendaftaran'],
            head: head('rijali', 'dr. Abdullah Tuasikal'),
          },
        ],
      },
      {
        code: 'AMB-DPMPTSP',
        name: 'DPMPTSP Kota Ambon',
        kind: 'dinas',
        population: 5000,
        counters: ['Loket Perizinan'],
        head: head('dpmptsp.ambon', 'Frans Sahetapy, S.E.'),
      },
    ],
  },
];

const service = (code: string, name: string, targetWaitMinutes: number, targetCompletionDays: number, fee = 0) => ({
  code,
  name,
  targetWaitMinutes,
  targetCompletionDays,
  fee,
});

/** Services by kind of unit, with their standard: waiting minutes, working days to complete, fee in rupiah. */
export const servicesByKind: Record<string, ReturnType<typeof service>[]> = {
  puskesmas: [
    service('POLI-UMUM', 'Pelayanan Poli Umum', 30, 0),
    service('KIA', 'Kesehatan Ibu dan Anak', 30, 0),
    service('LAB', 'Pemeriksaan Laboratorium', 45, 1),
  ],
  dinas: [
    service('KTP-EL', 'Perekaman dan Pencetakan KTP-el', 30, 1),
    service('KK', 'Penerbitan Kartu Keluarga', 20, 1),
    service('AKTA-LAHIR', 'Penerbitan Akta Kelahiran', 20, 3),
  ],
  rsud: [
    service('RAWAT-JALAN', 'Pendaftaran Rawat Jalan', 60, 0),
    service('IGD', 'Instalasi Gawat Darurat', 5, 0),
    service('FARMASI', 'Pelayanan Farmasi', 45, 0),
  ],
};
// The licensing offices are dinas too, but offer permits rather than civil registration.
export const permitServices = [
  service('NIB', 'Nomor Induk Berusaha', 15, 1),
  service('PBG', 'Persetujuan Bangunan Gedung', 30, 28, 0),
  service('SIP-NAKES', 'Surat Izin Praktik Tenaga Kesehatan', 20, 5),
];

const firstNames = {
  male: [
    'Ahmad',
    'Budi',
    'Rudi',
    'Hendra',
    'Joko',
    'Agus',
    'Dedi',
    'Fajar',
    'Irwan',
    'Yusuf',
    'Samuel',
    'Ridwan',
    'Teguh',
    'Arif',
    'Eko',
  ],
  female: [
    'Siti',
    'Dewi',
    'Rina',
    'Nurul',
    'Sri',
    'Wulan',
    'Maya',
    'Fitri',
    'Lestari',
    'Ratna',
    'Yohana',
    'Indah',
    'Putri',
    'Novita',
    'Ayu',
  ],
};
const lastNames = [
  'Saputra',
  'Hasibuan',
  'Siregar',
  'Wijaya',
  'Lubis',
  'Nasution',
  'Rahmawati',
  'Kurniawan',
  'Latuconsina',
  'Pattimura',
  'Hutapea',
  'Maharani',
  'Syahputra',
  'Anggraini',
  'Tuanaya',
];
const positions: Record<string, string[]> = {
  puskesmas: [
    'Perawat Ahli Pertama',
    'Bidan Terampil',
    'Dokter Ahli Pertama',
    'Pranata Laboratorium Kesehatan',
    'Petugas Pendaftaran',
  ],
  dinas: [
    'Pengadministrasi Kependudukan',
    'Operator Layanan Operasional',
    'Verifikator Berkas',
    'Analis Perizinan',
    'Penata Layanan Operasional',
  ],
  rsud: ['Perawat Terampil', 'Apoteker Ahli Pertama', 'Petugas Rekam Medis', 'Dokter Ahli Muda', 'Kasir'],
};

/** A small deterministic generator, so the demo is the same on every machine. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

const pad = (value: number, size: number) => String(value).padStart(size, '0');

/** About 60 officers with valid NIPs (a few PPPK), spread over the service units. */
export function demoOfficers() {
  const random = generator(2026);
  const units: { code: string; kind: string }[] = [];
  const collect = (unit: DemoUnit) => {
    if (unit.kind !== 'agency' && unit.counters) units.push({ code: unit.code, kind: unit.kind });
    unit.children?.forEach(collect);
  };
  demoAgencies.forEach(collect);
  const officers: { nip: string; name: string; position: string; unitCode: string }[] = [];
  for (let i = 0; officers.length < 60; i++) {
    const unit = units[i % units.length]!;
    const sex = random(2) === 0 ? 'male' : 'female';
    const birthYear = 1968 + random(30);
    const birth = `${birthYear}${pad(1 + random(12), 2)}${pad(1 + random(28), 2)}`;
    const pppk = i % 7 === 3;
    const appointedYear = Math.min(2025, birthYear + 21 + random(12));
    const appointment = pppk ? `${Math.max(appointedYear, 2021)}21` : `${appointedYear}${pad(1 + random(12), 2)}`;
    const nip = `${birth}${appointment}${sex === 'male' ? 1 : 2}${pad(1 + (i % 999), 3)}`;
    const first = firstNames[sex][random(firstNames[sex].length)]!;
    const last = lastNames[random(lastNames.length)]!;
    const kindPositions = positions[unit.kind] ?? positions.dinas!;
    officers.push({
      nip,
      name: `${first} ${last}`,
      position: kindPositions[random(kindPositions.length)]!,
      unitCode: unit.code,
    });
  }
  return officers;
}

/**
 * The officer records of the demo's staff who are officers: each unit head, and the handler at Kebun Handil, in
 * their own unit (kept apart from demoOfficers(), which the demo's tickets and surveys pick from).
 */
export function demoStaffOfficers() {
  const staff: { email: string; nip: string; name: string; position: string; unitCode: string }[] = [];
  const collect = (unit: DemoUnit) => {
    if (unit.head)
      staff.push({ email: unit.head.email, nip: '', name: unit.head.name, position: 'Kepala', unitCode: unit.code });
    unit.children?.forEach(collect);
  };
  demoAgencies.forEach(collect);
  staff.push({
    email: 'petugas.kebunhandil@suara.test',
    nip: '',
    name: 'Rina Marlina',
    position: 'Petugas Pendaftaran',
    unitCode: 'JAMBI-PKM-KEBUNHANDIL',
  });
  // Born 1975–1989, appointed at 25, sequence numbers from 901 up: none meets demoOfficers()'s.
  return staff.map((person, index) => {
    const birthYear = 1975 + (index % 15);
    return {
      ...person,
      nip: `${birthYear}0${1 + (index % 9)}1${index % 10}${birthYear + 25}03${1 + (index % 2)}${901 + index}`,
    };
  });
}

export function servicesFor(unit: DemoUnit) {
  if (unit.kind === 'agency') return [];
  if (unit.code.includes('DPMPTSP')) return permitServices;
  if (unit.code.includes('DINKES')) return [service('REKOM-FASKES', 'Rekomendasi Izin Fasilitas Kesehatan', 30, 14)];
  return servicesByKind[unit.kind] ?? [];
}
