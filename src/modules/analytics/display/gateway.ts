import type { Namespace, Server } from 'socket.io';
import { subscribe } from '../../../platform/events.js';
import { formatNumber } from '../../../platform/i18n.js';
import { logger } from '../../../platform/logger.js';
import { findUnitByCode, unitsNamed } from '../../directory/index.js';
import { displayFigures } from './figures.js';
import { approvedShowcase, onShowcaseChange, type PublicShowcaseItem } from '../transparency/showcase.js';

/**
 * The hall display over Socket.IO: public namespace `/display`, no sign-in, nothing personal ever sent. A screen
 * joins the room `display:<unitCode>` of its unit (handshake `auth.unitCode`); when a survey answer of that unit or
 * any unit below it has been counted on the rollups (`survey.rolled_up`: the figures are read from them, so not
 * before), or an approved "you said, we did" item or compliment of theirs changes, the room gets `display:update`
 * with fresh figures — at most once per throttle window per unit, the last change always included. Tickets change
 * nothing a screen shows until they are approved for it. If the rollups cannot be written the answer is not
 * counted anywhere yet (`npm run rollups:rebuild` repairs it) and the screens keep their figures.
 *
 * With several processes (Redis adapter, set on the server before this runs) the process that saw the change tells
 * the others with a server-side emit; each refreshes only the rooms its own screens sit in.
 */
export const DISPLAY_NAMESPACE = '/display';
export const DISPLAY_UPDATE = 'display:update';
export const DISPLAY_THROTTLE_MS = 2000;
const DIRTY = 'display:dirty';
const SHOWCASE_ON_DISPLAY = 5;

export const displayRoom = (unitCode: string) => `display:${unitCode}`;

/** Everything a display shows: counts, the index, approved moderated text. Built for the public. */
export async function displayPayload(unitCode: string) {
  const figures = await displayFigures(unitCode);
  const unit = await findUnitByCode(unitCode);
  const [compliments, youSaidWeDid] = unit
    ? await Promise.all([
        approvedShowcase({ unitId: unit._id, kind: 'compliment', limit: SHOWCASE_ON_DISPLAY }),
        approvedShowcase({ unitId: unit._id, kind: 'you_said_we_did', limit: SHOWCASE_ON_DISPLAY }),
      ])
    : [[], []];
  const strip = (item: PublicShowcaseItem) => ({
    id: item.id,
    unitName: item.unitName,
    youSaid: item.youSaid,
    weDid: item.weDid,
  });
  return {
    unit: { code: figures.unit.code, name: figures.unit.name },
    todaySurveys: figures.todaySurveys,
    ikm: figures.ikm,
    // The hall screen speaks the agency's language: one text for every screen in the room.
    ikmText: formatNumber('id', figures.ikm, 2) || '—',
    grade: figures.grade,
    label: figures.label,
    respondents: figures.respondents,
    // The period the index covers: the agency's transparency period, to date.
    period: { kind: figures.period, from: figures.from, to: figures.to },
    compliments: compliments.map(strip),
    youSaidWeDid: youSaidWeDid.map(strip),
    at: new Date().toISOString(),
  };
}
export type DisplayPayload = Awaited<ReturnType<typeof displayPayload>>;

export interface DisplayGatewayOptions {
  /** Several processes behind a Redis adapter: tell the others about changes (default false). */
  clustered?: boolean;
  throttleMs?: number;
}

export interface DisplayGateway {
  namespace: Namespace;
  close(): Promise<void>;
}

/** Lets a screen in for an active unit (by code) and sends it the figures at once. */
function admitScreens(nsp: Namespace): void {
  nsp.use(async (socket, next) => {
    const raw = (socket.handshake.auth as { unitCode?: unknown })?.unitCode ?? socket.handshake.query.unitCode;
    const code = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
    try {
      const unit = /^[A-Z0-9][A-Z0-9-]{1,39}$/.test(code) ? await findUnitByCode(code) : null;
      if (!unit || unit.active === false)
        return next(Object.assign(new Error('unknown unit'), { data: { code: 'not_found' } }));
      socket.data.unitCode = unit.code;
      next();
    } catch (error) {
      logger.warn({ err: error }, 'display connection refused: could not read the unit');
      next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
    }
  });

  nsp.on('connection', async (socket) => {
    const code = socket.data.unitCode as string;
    await socket.join(displayRoom(code));
    try {
      socket.emit(DISPLAY_UPDATE, await displayPayload(code));
    } catch (error) {
      logger.warn({ err: error, unitCode: code }, 'display figures failed');
    }
  });
}

export function attachDisplayGateway(io: Server, options: DisplayGatewayOptions = {}): DisplayGateway {
  const nsp = io.of(DISPLAY_NAMESPACE);
  const throttleMs = options.throttleMs ?? DISPLAY_THROTTLE_MS;

  admitScreens(nsp);

  // ---- Refresh, throttled per unit

  const state = new Map<string, { last: number; timer: NodeJS.Timeout | null }>();
  let closed = false;

  const refresh = async (code: string) => {
    const entry = state.get(code)!;
    entry.timer = null;
    entry.last = Date.now();
    const room = displayRoom(code);
    if (!nsp.adapter.rooms.get(room)?.size) return;
    try {
      nsp.local.to(room).emit(DISPLAY_UPDATE, await displayPayload(code));
    } catch (error) {
      logger.warn({ err: error, unitCode: code }, 'display refresh failed');
    }
  };

  /** Schedules a refresh of each unit with a screen in this process; a burst becomes one update per window. */
  const markDirty = (codes: readonly string[]) => {
    if (closed) return;
    for (const code of codes) {
      if (!nsp.adapter.rooms.get(displayRoom(code))?.size) continue;
      const entry = state.get(code) ?? { last: 0, timer: null };
      state.set(code, entry);
      if (entry.timer) continue;
      const wait = Math.max(0, entry.last + throttleMs - Date.now());
      entry.timer = setTimeout(() => void refresh(code), wait);
      entry.timer.unref();
    }
  };

  // Unit ids in an event's path → unit codes (codes do not change; cached for the process).
  const codeById = new Map<string, string>();
  const codesOf = async (unitPath: readonly string[]) => {
    const missing = unitPath.filter((id) => !codeById.has(id));
    if (missing.length) {
      const units = await unitsNamed(missing);
      for (const unit of units) codeById.set(String(unit._id), unit.code);
    }
    return unitPath.map((id) => codeById.get(id)).filter((code): code is string => Boolean(code));
  };

  const changed = async (unitPath: readonly string[]) => {
    const codes = await codesOf(unitPath.map(String));
    markDirty(codes);
    if (options.clustered) nsp.serverSideEmit(DIRTY, codes);
  };
  if (options.clustered)
    nsp.on(DIRTY, (codes: unknown) => {
      if (Array.isArray(codes)) markDirty(codes.filter((code): code is string => typeof code === 'string'));
    });

  const unsubscribe = [
    subscribe('survey.rolled_up', (event) => changed(event.unitPath)),
    onShowcaseChange((unitPath) => void changed(unitPath).catch(() => undefined)),
  ];

  return {
    namespace: nsp,
    async close() {
      closed = true;
      for (const stop of unsubscribe) stop();
      for (const entry of state.values()) if (entry.timer) clearTimeout(entry.timer);
      nsp.local.disconnectSockets(true);
    },
  };
}
