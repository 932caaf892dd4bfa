/** `npm run db:install`: installs the embedded database (SecantusDB, from PyPI) now instead of on first start. */
import { EmbeddedDatabaseError, ensureSecantusInstalled } from '../src/platform/embedded-db.js';

const say = (line: string) => process.stderr.write(line + '\n');
ensureSecantusInstalled({ python: process.env.SECANTUS_PYTHON, progress: say }).then(
  () => say('Embedded database ready.'),
  (error: unknown) => {
    say(error instanceof EmbeddedDatabaseError ? error.message : String(error));
    process.exit(1);
  },
);
