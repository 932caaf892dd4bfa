import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import type { Lang } from '../../platform/i18n.js';

/**
 * Reusable answers for staff (data, like categories): each may be tied to a category and to the status it is used
 * in, and carries its text in both languages — the citizen gets the one they filed in. Defaults are seeded at start;
 * an edit in the database survives restarts.
 */
const responseTemplateSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    category: { type: String, default: null }, // null: any category
    agencyCode: { type: String, default: null }, // null: national; else the agency whose own template it is
    usedFor: { type: String, enum: ['reply', 'ask', 'resolve', 'reject'], required: true },
    title: { id: { type: String, required: true }, en: { type: String, required: true } },
    body: { id: { type: String, required: true }, en: { type: String, required: true } },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
export type ResponseTemplateDoc = InferSchemaType<typeof responseTemplateSchema>;
export const ResponseTemplate = mongoose.model('ResponseTemplate', responseTemplateSchema);

const defaults = [
  {
    code: 'thanks_in_progress',
    category: null,
    usedFor: 'reply',
    title: { id: 'Terima kasih, sedang ditindaklanjuti', en: 'Thank you, in progress' },
    body: {
      id: 'Terima kasih atas laporan Anda. Laporan sudah kami verifikasi dan sedang ditindaklanjuti oleh unit terkait. Kami akan memberi kabar melalui halaman pemantauan.',
      en: 'Thank you for your report. We have verified it and the unit concerned is following it up. We will keep you informed on the tracking page.',
    },
  },
  {
    code: 'need_details',
    category: null,
    usedFor: 'ask',
    title: { id: 'Minta keterangan tambahan', en: 'Ask for details' },
    body: {
      id: 'Agar dapat kami tindak lanjuti, mohon sampaikan tanggal dan jam kejadian, loket atau ruangan, dan ciri petugas jika Anda ingat.',
      en: 'To follow this up, please tell us the date and time, the counter or room, and what the officer looked like if you remember.',
    },
  },
  {
    code: 'waiting_time_measures',
    category: 'waiting_time',
    usedFor: 'resolve',
    title: { id: 'Waktu tunggu: langkah perbaikan', en: 'Waiting time: what we changed' },
    body: {
      id: 'Kami menambah petugas loket pada jam sibuk (07.30–10.00) dan memastikan nomor antrean dipanggil berurutan. Terima kasih sudah membantu kami memperbaiki layanan.',
      en: 'We added counter staff at peak hours (07:30–10:00) and made sure queue numbers are called in order. Thank you for helping us improve the service.',
    },
  },
  {
    code: 'conduct_coached',
    category: 'officer_conduct',
    usedFor: 'resolve',
    title: { id: 'Perilaku petugas: sudah dibina', en: 'Officer conduct: coaching held' },
    body: {
      id: 'Laporan Anda sudah kami periksa dan petugas yang bersangkutan telah mendapat pembinaan. Mohon maaf atas ketidaknyamanan yang Anda alami.',
      en: 'We looked into your report and the officer concerned has been coached. We apologise for what you went through.',
    },
  },
  {
    code: 'illegal_fee_inspectorate',
    category: 'illegal_fee',
    usedFor: 'reply',
    title: { id: 'Pungli: diteruskan ke Inspektorat', en: 'Illegal fee: passed to the inspectorate' },
    body: {
      id: 'Layanan ini tidak dipungut biaya. Laporan Anda kami teruskan ke Inspektorat untuk pemeriksaan; identitas Anda tetap dirahasiakan.',
      en: 'This service is free of charge. We have passed your report to the inspectorate; your identity stays confidential.',
    },
  },
  {
    code: 'not_our_authority',
    category: null,
    usedFor: 'reject',
    title: { id: 'Bukan wewenang unit', en: 'Not this unit’s authority' },
    body: {
      id: 'Mohon maaf, hal yang Anda laporkan berada di luar wewenang unit kami. Silakan sampaikan kepada instansi yang berwenang; bila perlu kami bantu meneruskannya.',
      en: 'We are sorry: what you report is outside this unit’s authority. Please raise it with the responsible office; we can help forward it if needed.',
    },
  },
] as const;

export async function ensureResponseTemplates(): Promise<void> {
  await ResponseTemplate.bulkWrite(
    defaults.map((template) => ({
      updateOne: { filter: { code: template.code }, update: { $setOnInsert: template }, upsert: true },
    })),
  );
}

/** The templates that fit a ticket's category (or any category), national or its agency's own, for the staff pickers. */
export async function templatesFor(category: string | null, agencyCode: string | null = null) {
  return ResponseTemplate.find({
    active: true,
    category: { $in: [null, category] },
    agencyCode: { $in: [null, ...(agencyCode ? [agencyCode] : [])] },
  })
    .sort({ usedFor: 1, code: 1 })
    .lean<ResponseTemplateDoc[]>();
}

/** The placeholders a template may hold, filled from the ticket it answers: its tracking code and its unit's name. */
export const templatePlaceholders = ['code', 'unit'] as const;
export type TemplateValues = Record<(typeof templatePlaceholders)[number], string>;

/** A template's text with its placeholders filled; the admin pages refuse any other brace on save. */
export const fillTemplate = (text: string, values: TemplateValues): string =>
  text.replace(/\{(code|unit)\}/g, (_whole, name: keyof TemplateValues) => values[name]);

/** A template's text in the citizen's language, filled for their ticket, or null when there is no such template. */
export async function templateText(
  code: string,
  lang: Lang,
  values: TemplateValues,
  agencyCode: string | null = null,
): Promise<string | null> {
  // Another agency's own template is not this ticket's to use.
  const template = await ResponseTemplate.findOne({
    code,
    active: true,
    agencyCode: { $in: [null, ...(agencyCode ? [agencyCode] : [])] },
  }).lean<ResponseTemplateDoc>();
  const text = template?.body?.[lang];
  return text ? fillTemplate(text, values) : null;
}
