import { expect } from 'chai';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The module boundaries the linter keeps (scripts/lint/module-boundaries.js): code that crosses them is refused by
 * `npm run lint`, with a message that says what to do instead.
 */
describe('Module boundaries in the linter', function () {
  this.timeout(120_000);
  const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });
  const problems = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.resolve(import.meta.dirname, '../..', file) });
    return result!.messages.filter((message) => message.ruleId === 'suara/module-boundaries').map((m) => m.message);
  };

  it("refuses another module's model, and accepts the same thing through its public face", async () => {
    const internal = await problems(
      'src/modules/analytics/probe.ts',
      "import { Ticket } from '../feedback/model.js';\nexport const probe = Ticket;\n",
    );
    expect(internal).to.have.length(1);
    expect(internal[0]).to.include('src/modules/feedback/index.ts');
    const face = await problems(
      'src/modules/analytics/probe.ts',
      "import { feedback } from '../feedback/index.js';\nexport const probe = feedback;\n",
    );
    expect(face).to.deep.equal([]);
  });

  it('counts a sub-folder as its module, and refuses a deep import from one', async () => {
    expect(
      await problems(
        'src/modules/analytics/ikm/probe.ts',
        "import { x } from '../rollups/x.js';\nexport const p = x;\n",
      ),
    ).to.deep.equal([]);
    expect(
      await problems(
        'src/modules/coaching/record/probe.ts',
        "import { x } from '../../surveys/model.js';\nexport const p = x;\n",
      ),
    ).to.have.length(1);
  });

  it('refuses a module using one listed after it, and the platform using any module', async () => {
    const backwards = await problems(
      'src/modules/directory/probe.ts',
      "import { feedback } from '../feedback/index.js';\nexport const probe = feedback;\n",
    );
    expect(backwards).to.have.length(1);
    expect(backwards[0]).to.include('directory may not use feedback');
    const platform = await problems(
      'src/platform/probe.ts',
      "import { accounts } from '../modules/accounts/index.js';\nexport const probe = accounts;\n",
    );
    expect(platform).to.have.length(1);
    expect(platform[0]).to.include('The platform must not import a module');
  });
});
