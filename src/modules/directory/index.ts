/**
 * The directory module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { csvText, csvUpload, directoryRoutes, translatedReport } from './routes.js';
export { qrRoutes } from './qr-routes.js';
export { Officer, Unit } from './model.js';
export type { OfficerDoc, UnitDoc } from './model.js';
export {
  activeAgencies,
  createOfficer,
  createUnit,
  findOfficer,
  findOfficersByIds,
  findPublicUnit,
  findUnitByCode,
  findUnitById,
  firstProblem,
  listPublicOfficers,
  listPublicUnits,
  saveCounter,
  saveService,
  unitsInScope,
} from './service.js';
export type { ImportReport, PublicOfficer } from './service.js';
export { readCsv } from './csv-import.js';
export { citizenUrl, printedUrl, qrSvg } from './qr.js';
export { nip, unitCode } from './schemas.js';
export { activeUnitsUnder, unitsNamed, unitZones } from './unit-facts.js';
export type { UnitFigureHead, UnitNaming, UnitZone } from './unit-facts.js';
