import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * A counter kiosk: a tablet at a unit (and optionally one of its counters) that takes survey answers and
 * compliments one person after another. It is identified by the secret in its address, of which only a keyed hash
 * is kept; revoking it makes the address stop working at once.
 */
const kioskSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, required: true },
    unitCode: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    agencyCode: { type: String, required: true },
    counterCode: { type: String, default: null },
    /** lookupHash of the secret: never the secret itself. */
    keyHash: { type: String, required: true, unique: true },
    /** The secret's first characters, so staff can tell kiosks apart without the secret. */
    prefix: { type: String, required: true },
    createdBy: { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, default: '' } },
    revokedAt: { type: Date, default: null },
    revokedBy: { userId: { type: Schema.Types.ObjectId, default: null }, name: { type: String, default: null } },
    /** When the kiosk last took an answer or a compliment. */
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, collection: 'kiosks' },
);
kioskSchema.index({ unitPath: 1, createdAt: -1 });

export type KioskDoc = InferSchemaType<typeof kioskSchema> & { _id: Types.ObjectId; createdAt: Date };
export const Kiosk = mongoose.model('Kiosk', kioskSchema);
