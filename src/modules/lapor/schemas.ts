import Joi from 'joi';
import { MAX_IMPORT_ROWS } from '../../platform/csv.js';

const isoDate = Joi.string()
  .trim()
  .pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/)
  .allow('');

/** GET /api/v1/lapor/export and the page's export form. */
export const exportQuery = Joi.object({
  format: Joi.string().valid('json', 'csv').default('json'),
  from: isoDate,
  to: isoDate,
  codes: Joi.string().trim().max(20_000).allow(''),
  limit: Joi.number().integer().min(1).max(5000).default(1000),
  lang: Joi.string().allow(''),
});

/** POST /api/v1/lapor/import: JSON rows, CSV text in a field, a CSV upload (`file`) or a text/csv body. */
export const importBody = Joi.alternatives().try(
  Joi.string(),
  Joi.object({
    reports: Joi.array().items(Joi.object().unknown(true)).max(MAX_IMPORT_ROWS),
    csv: Joi.string(),
    _csrf: Joi.string(),
  }),
);
