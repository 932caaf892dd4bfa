import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { auditActions } from '../../src/modules/audit/service.js';
import { installModules } from '../../src/platform/modules.js';
import { modules } from '../../src/modules/index.js';
import { t } from '../../src/platform/i18n.js';

/** Every `.ts` file under a folder. */
async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * The actions the code records: the second argument of every `recordAudit(…)` call, a literal ('unit.move') or a
 * template whose fixed start names a family (`feedback.category.${action}` → 'feedback.category.').
 */
async function recordedActions(): Promise<{ exact: Set<string>; families: Set<string> }> {
  const exact = new Set<string>();
  const families = new Set<string>();
  for (const file of await sourceFiles(path.resolve('src'))) {
    const text = await readFile(file, 'utf8');
    for (const call of text.matchAll(/recordAudit\(\s*[^,]+,\s*(['`])([a-z0-9_.]+)(\$\{)?/g)) {
      if (call[1] === '`' && call[3]) families.add(call[2]!);
      else exact.add(call[2]!);
    }
  }
  return { exact, families };
}

describe('The audit log’s action filter', () => {
  before(() => installModules(modules));

  it('offers every action the code records, each with a label in both languages', async () => {
    const offered = auditActions();
    const { exact, families } = await recordedActions();
    expect(exact.size, 'recordAudit calls found').to.be.greaterThan(30);
    const missing = [...exact].filter((action) => !offered.includes(action));
    expect(missing, 'recorded without a label (add audit.action.<action> to the module’s messages)').to.deep.equal([]);
    for (const family of families)
      expect(
        offered.some((action) => action.startsWith(family)),
        `no labelled action starts with ${family}`,
      ).to.equal(true);
    for (const action of offered) {
      expect(t('id', `audit.action.${action}`), action).to.not.equal(`audit.action.${action}`);
      expect(t('en', `audit.action.${action}`), action).to.not.equal(`audit.action.${action}`);
    }
  });
});
