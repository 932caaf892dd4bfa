import { expect } from 'chai';
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
});
