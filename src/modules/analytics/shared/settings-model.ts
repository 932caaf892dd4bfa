import mongoose, { Schema } from 'mongoose';
import { countWrites } from '../../../platform/shared-answers.js';

/** Analytics settings per agency: custom SKM element weights (settings.ts). */
const analyticsSettingsSchema = new Schema(
  {
    _id: { type: String, required: true }, // the agency code
    weights: { type: [Number], default: null },
    updatedBy: { type: String, default: null },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'analytics_settings' },
);

/** This process's writes of the settings (settings.ts keeps the weights it read until one). */
export const settingsWrites = countWrites(analyticsSettingsSchema);
export const AnalyticsSettings = mongoose.model('AnalyticsSettings', analyticsSettingsSchema);
