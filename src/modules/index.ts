import type { ModuleManifest } from '../platform/modules.js';
import { accounts } from './accounts/index.js';
import { admin } from './admin/index.js';
import { analytics } from './analytics/index.js';
import { audit } from './audit/index.js';
import { calendar } from './calendar/index.js';
import { coaching } from './coaching/index.js';
import { developers } from './developers/index.js';
import { directory } from './directory/index.js';
import { feedback } from './feedback/index.js';
import { home } from './home/index.js';
import { inbox } from './inbox/index.js';
import { kiosks } from './kiosks/index.js';
import { lapor } from './lapor/index.js';
import { notifications } from './notifications/index.js';
import { open311 } from './open311/index.js';
import { settings } from './settings/index.js';
import { surveys } from './surveys/index.js';

/**
 * Every module, in the order data flows: a module uses only modules listed before it (docs/architecture.md). The
 * application, the server, the scripts and the test setup loop over this list; adding a module is adding it here.
 */
export const modules: readonly ModuleManifest[] = [
  directory,
  notifications,
  accounts,
  calendar,
  surveys,
  feedback,
  kiosks,
  open311,
  inbox,
  coaching,
  analytics,
  lapor,
  audit,
  settings,
  admin,
  home,
  developers,
];
