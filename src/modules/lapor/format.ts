import type { HandOverTicket } from '../feedback/index.js';

/**
 * The LAPOR! hand-over file (docs/lapor.md): one row per report, the same columns in CSV and JSON. Export writes
 * every column; import reads the tracking number, LAPOR!'s status and disposition, and for a report new to Suara
 * the unit, kind, category, privacy, title and content.
 */
export const columns = [
  'nomor_tracking',
  'kode_suara',
  'judul',
  'isi',
  'jenis',
  'kategori',
  'kode_unit',
  'instansi',
  'kerahasiaan',
  'status',
  'disposisi',
  'status_suara',
  'tanggal_masuk',
  'tanggal_diperbarui',
  'tanggal_selesai',
] as const;
export type Column = (typeof columns)[number];

/** Header spellings import accepts, per column: ours, with spaces, and LAPOR!'s own English-ish labels. */
export const columnAliases: Record<string, string[]> = {
  nomor_tracking: ['nomor tracking', 'no tracking', 'tracking id', 'tracking number', 'nomor laporan lapor'],
  kode_suara: ['kode suara', 'kode pelacakan', 'suara code'],
  judul: ['judul', 'judul laporan', 'title'],
  isi: ['isi', 'isi laporan', 'content'],
  jenis: ['jenis', 'klasifikasi', 'jenis laporan', 'type'],
  kategori: ['kategori', 'category'],
  kode_unit: ['kode unit', 'unit code'],
  kerahasiaan: ['kerahasiaan', 'privacy'],
  status: ['status', 'status lapor'],
  disposisi: ['disposisi', 'disposition'],
};

/** LAPOR!'s classifications ↔ our kinds. */
export const kindOfJenis: Record<string, string> = {
  pengaduan: 'complaint',
  aspirasi: 'suggestion',
  permintaan_informasi: 'information_request',
  apresiasi: 'compliment',
};
export const jenisOfKind = Object.fromEntries(Object.entries(kindOfJenis).map(([jenis, kind]) => [kind, jenis]));

/** LAPOR!'s words for reporter privacy ↔ ours. */
export const privacyOfKerahasiaan: Record<string, string> = {
  publik: 'public',
  anonim: 'anonymous',
  rahasia: 'confidential',
};
export const kerahasiaanOfPrivacy = Object.fromEntries(
  Object.entries(privacyOfKerahasiaan).map(([word, privacy]) => [privacy, word]),
);

/**
 * LAPOR!'s status words for a ticket's own status, when LAPOR! has not said one yet: received → not yet verified,
 * verified or assigned → not yet followed up, being worked or awaiting the citizen → in process, answered → done,
 * rejected or merged → archived.
 */
const laporStatusOf: Record<string, string> = {
  received: 'Belum Terverifikasi',
  verified: 'Belum Ditindaklanjuti',
  assigned: 'Belum Ditindaklanjuti',
  in_progress: 'Proses',
  awaiting_citizen: 'Proses',
  resolved: 'Selesai',
  closed: 'Selesai',
  rejected: 'Arsip',
  merged: 'Arsip',
};

export interface Names {
  unit: Map<string, string>;
  category: Map<string, string>;
}

/** One exported row. */
export function rowOf(ticket: HandOverTicket, names: Names): Record<Column, string> {
  const category = ticket.category ?? '';
  const unitName = names.unit.get(ticket.unitCode) ?? ticket.unitCode;
  return {
    nomor_tracking: ticket.trackingNumber ?? '',
    kode_suara: ticket.code,
    judul: `${names.category.get(category) ?? category} — ${unitName}`,
    isi: ticket.description,
    jenis: jenisOfKind[ticket.kind] ?? ticket.kind,
    kategori: category,
    kode_unit: ticket.unitCode,
    instansi: names.unit.get(ticket.agencyCode) ?? ticket.agencyCode,
    kerahasiaan: kerahasiaanOfPrivacy[ticket.privacy] ?? ticket.privacy,
    status: ticket.laporStatus ?? laporStatusOf[ticket.status] ?? ticket.status,
    disposisi: ticket.laporDisposition ?? unitName,
    status_suara: ticket.status,
    tanggal_masuk: ticket.createdAt.toISOString(),
    tanggal_diperbarui: ticket.updatedAt.toISOString(),
    tanggal_selesai: (ticket.resolvedAt ?? ticket.closedAt)?.toISOString() ?? '',
  };
}
