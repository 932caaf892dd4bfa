import { expect } from 'chai';
import fc from 'fast-check';
import { scrubPersonalData, searchTokens, stem } from '../../src/modules/feedback/text.js';

describe('Ticket text: search tokens and scrubbing', () => {
  it('stems Indonesian words so that forms of one word meet', () => {
    expect(stem('pelayanan')).to.equal(stem('dilayani'));
    expect(stem('pembayaran')).to.equal(stem('membayar'));
    expect(stem('menunggu')).to.equal('tunggu');
    expect(stem('menyapu')).to.equal('sapu');
    expect(stem('petugasnya')).to.equal('tugas');
    expect(stem('jalan')).to.equal('jalan');
  });

  it('drops stop words, short words and anything that looks like a phone, NIK or e-mail', () => {
    const tokens = searchTokens(
      'Saya menunggu di loket, hubungi 081234567890 atau budi@mail.com, NIK 1571020304050006',
    );
    expect(tokens).to.include.members(['tunggu', 'loket']);
    expect(tokens.join(' ')).not.to.match(/0812|budi|1571/);
    expect(tokens).not.to.include('saya');
  });

  it('scrubs e-mail addresses, phone numbers and NIKs from text others will see', () => {
    expect(
      scrubPersonalData(
        'Hubungi 0812-3456-7890 atau +62 812 3456 7890, e-mail budi.s@mail.co.id, NIK 1571020304050006.',
      ),
    ).to.equal('Hubungi [telepon] atau [telepon], e-mail [e-mail], NIK [nomor].');
    expect(scrubPersonalData('Antre 3 jam, loket 2, biaya Rp 50.000')).to.equal(
      'Antre 3 jam, loket 2, biaya Rp 50.000',
    );
  });

  describe('scrubbing text written to wear the scrubber out', () => {
    it('scrubs 4,000 characters of digits with separators, leaving no digit behind', () => {
      expect(scrubPersonalData('1-'.repeat(2000))).to.equal('[nomor]-');
      expect(scrubPersonalData('1 2 '.repeat(1000))).to.equal('[nomor] ');
      expect(scrubPersonalData('1.'.repeat(1999) + 'a')).to.equal('[nomor].a');
      expect(scrubPersonalData('0812-3456-7890 '.repeat(266))).to.equal('[telepon] '.repeat(266));
    });

    it('leaves a digit run glued to a word alone, as a word of its own that is no number', () => {
      const glued = '1'.repeat(3999) + 'x';
      expect(scrubPersonalData(glued)).to.equal(glued);
      expect(scrubPersonalData('+62'.repeat(1333))).to.equal('+62'.repeat(1333));
    });

    it('reads a long a.a.a.a… run as one address when it ends in a domain, and as text when it does not', () => {
      expect(scrubPersonalData('a.'.repeat(1990) + '@mail.co.id')).to.equal('[e-mail]');
      expect(scrubPersonalData('a.'.repeat(2000))).to.equal('a.'.repeat(2000));
      expect(scrubPersonalData('a.a.a.a@'.repeat(500))).to.equal('[e-mail]@'.repeat(250));
    });

    it('scrubs exactly what the three patterns describe, on any short text of digits, separators and addresses', () => {
      // The patterns as written for people: the scrubber must agree with them, only faster on long text.
      const byPatterns = (text: string) =>
        text
          .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[e-mail]')
          .replace(/(?:\+?62|\b0)[\s.-]?8\d(?:[\s.-]?\d){6,11}\b/g, '[telepon]')
          .replace(/\b\d(?:[\s.-]?\d){11,}\b/g, '[nomor]');
      const character = fc.constantFrom(...'0123456789062888 .-+@ab_,x\u00a0]'.split(''));
      fc.assert(
        fc.property(fc.string({ unit: character, maxLength: 60 }), (text) => {
          expect(scrubPersonalData(text)).to.equal(byPatterns(text));
        }),
        { numRuns: 20_000 },
      );
    });
  });
});
