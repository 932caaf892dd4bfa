/**
 * The directory module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import qrMessages from './qr-messages.js';
import { qrRoutes } from './qr-routes.js';
import { directoryRoutes as routes } from './routes.js';
export { directoryRoutes } from './routes.js';
export { qrRoutes } from './qr-routes.js';
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
  listPublicOfficers,
  officerGoneFrom,
  listPublicUnits,
  saveCounter,
  saveService,
  serviceCompletionDays,
  unitsInScope,
} from './service.js';
export type { PublicOfficer } from './service.js';
export { citizenUrl, printedUrl, qrSvg } from './qr.js';
export { isOpenAt, openingHoursOf, unitsWithoutOpeningHours, weekOf } from './opening-hours.js';
export type { OpeningHours } from './opening-hours.js';
export { nip, unitCode } from './schemas.js';
export { activeUnitsUnder, unitIdsUnder, unitPathsOf, unitsNamed, unitZones } from './unit-facts.js';
export type { UnitFigureHead, UnitNaming, UnitZone } from './unit-facts.js';
export {
  activeOfficersUnder,
  countActiveOfficersUnder,
  everyOfficerId,
  everyUnitId,
  officerTimeZone,
} from './officer-facts.js';

export const directory: ModuleManifest = {
  name: 'directory',
  messages: [messages, qrMessages],
  routes: (config) => [routes(), qrRoutes({ publicUrl: config.publicUrl })],
};
