import { expect } from 'chai';
import { langFromAcceptLanguage, messageBundles, t } from '../../src/platform/i18n.js';

describe('Languages', () => {
  it('picks the best supported language from Accept-Language, by quality', () => {
    expect(langFromAcceptLanguage('en-GB,en;q=0.9,id;q=0.8')).to.equal('en');
    expect(langFromAcceptLanguage('fr-FR, id;q=0.5, en;q=0.4')).to.equal('id');
    expect(langFromAcceptLanguage('fr, de')).to.equal(undefined);
    expect(langFromAcceptLanguage('en;q=0, id')).to.equal('id');
    expect(langFromAcceptLanguage(undefined)).to.equal(undefined);
  });

  it('fills placeholders and shows an unknown key as itself, so a gap is visible', () => {
    expect(t('id', 'auth.locked', { seconds: 30 })).to.include('30 detik');
    expect(t('en', 'auth.locked', { seconds: 30 })).to.include('30 seconds');
    expect(t('en', 'no.such.key')).to.equal('no.such.key');
  });

  it('has every string in both languages, each key owned by one module, none left empty', () => {
    const owners = new Map<string, number>();
    messageBundles().forEach((bundle, index) => {
      expect(Object.keys(bundle.en).sort()).to.deep.equal(Object.keys(bundle.id).sort());
      for (const key of Object.keys(bundle.id)) {
        expect(owners.has(key), `${key} is defined twice`).to.equal(false);
        owners.set(key, index);
        expect((bundle.id as Record<string, string>)[key]).to.match(/\S/);
        expect((bundle.en as Record<string, string>)[key]).to.match(/\S/);
      }
    });
  });
});
