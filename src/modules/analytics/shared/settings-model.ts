import mongoose, { Schema } from 'mongoose';
import { countWrites } from '../../../platform/shared-answers.js';

/** Analytics settings per agency: custom SKM element weights and the transparency page's period (settings.ts). */
const analyticsSettingsSchema = new Schema(
  {
    _id: { type: String, required: true }, // the agency code
    weights: { type: [Number], default: null },
    /** The public transparency page's period for the agency's units; absent means the quarter to date. */
    transparencyPeriod: { type: String, enum: ['month', 'quarter', 'half', 'year', null], default: null },
    updatedBy: { type: String, default: null },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'analytics_settings' },
);

/** This process's writes of the settings (settings.ts keeps the weights it read until one). */
export const settingsWrites = countWrites(analyticsSettingsSchema);
export const AnalyticsSettings = mongoose.model('AnalyticsSettings', analyticsSettingsSchema);
