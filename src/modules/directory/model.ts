import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { countWrites, keptLookups } from '../../platform/shared-answers.js';

export const timeZones = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const; // WIB, WITA, WIT
export type TimeZone = (typeof timeZones)[number];
export const unitKinds = [
  'agency',
  'dinas',
  'badan',
  'upt',
  'puskesmas',
  'rsud',
  'kecamatan',
  'kelurahan',
  'other',
] as const;

/** A service with its standard (standar pelayanan). */
const serviceSchema = new Schema(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    targetWaitMinutes: { type: Number, default: null },
    targetCompletionDays: { type: Number, default: null },
    fee: { type: Number, default: 0 }, // rupiah; 0 = free of charge
    active: { type: Boolean, default: true },
  },
  { _id: false },
);

const counterSchema = new Schema(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    active: { type: Boolean, default: true },
  },
  { _id: false },
);

/**
 * When a unit serves (opening-hours.ts): ranges of local "HH:MM" times per ISO weekday (1 = Monday; a day without a
 * range is closed), and dated exceptions that replace the week's pattern on that date (no range: closed all day).
 */
const openingHoursSchema = new Schema(
  {
    weekly: {
      type: [{ weekday: Number, open: String, close: String, _id: false }],
      default: [],
    },
    exceptions: {
      type: [
        { date: String, open: { type: String, default: null }, close: { type: String, default: null }, _id: false },
      ],
      default: [],
    },
  },
  { _id: false },
);

/**
 * A unit of the tree; an agency (instansi) is a root unit. `path` is the materialised list of ancestors from the
 * agency down to the unit itself, so "this unit and everything below it" is one indexed query: `{ path: id }`.
 */
const unitSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true, trim: true },
    kind: { type: String, enum: unitKinds, default: 'other' },
    parentId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    path: { type: [Schema.Types.ObjectId], required: true, index: true },
    agencyCode: { type: String, required: true },
    timeZone: { type: String, enum: timeZones, required: true }, // the agency's, copied down the tree
    population: { type: Number, default: null }, // service users per year, for the SKM minimum sample
    services: { type: [serviceSchema], default: [] },
    counters: { type: [counterSchema], default: [] },
    /** Unknown until an admin says (null): nothing is judged against hours nobody gave. */
    openingHours: { type: openingHoursSchema, default: null },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
unitSchema.index({ parentId: 1, name: 1 });

export type UnitDoc = InferSchemaType<typeof unitSchema> & { _id: Types.ObjectId };
const unitWrites = countWrites(unitSchema);
export const Unit = mongoose.model('Unit', unitSchema);
/** The agencies (root units), for pickers on public pages (service.ts `activeAgencies`). */
export const agencyLookups = keptLookups<Pick<UnitDoc, '_id' | 'code' | 'name'>[]>(unitWrites, 1);
/** The units of a scope in tree order (service.ts `unitsInScope`), for every dashboard's unit picker. */
export const scopeLookups = keptLookups<(UnitDoc & { depth: number })[]>(unitWrites, 1_000);
/** Units by code (service.ts `findUnitByCode`), asked on most requests. */
export const unitLookups = keptLookups<UnitDoc | null>(unitWrites, 5_000);

/** A civil servant (ASN). `ref` is the opaque reference public pages and QR links use instead of the NIP. */
const officerSchema = new Schema(
  {
    nip: { type: String, required: true, unique: true },
    name: { type: String, required: true, trim: true },
    position: { type: String, default: '' },
    employment: { type: String, enum: ['pns', 'pppk'], required: true },
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    unitCode: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true, index: true },
    ref: { type: String, required: true, unique: true },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
officerSchema.index({ unitId: 1, name: 1 });

export type OfficerDoc = InferSchemaType<typeof officerSchema> & { _id: Types.ObjectId };
const officerWrites = countWrites(officerSchema);
export const Officer = mongoose.model('Officer', officerSchema);
/** Active officers by NIP or reference (service.ts `findOfficer`), asked by every record read and QR form. */
export const officerLookups = keptLookups<OfficerDoc | null>(officerWrites, 20_000);
