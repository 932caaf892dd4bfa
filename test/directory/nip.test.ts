import { expect } from 'chai';
import { parseNip } from '../../src/modules/directory/nip.js';

const today = new Date('2026-11-23T00:00:00Z');
const problem = (nip: string) => {
  const result = parseNip(nip, today);
  return result.ok ? 'ok' : result.problem;
};

describe('NIP validation', () => {
  it('reads a PNS NIP: birth date, appointment month, sex', () => {
    const result = parseNip('198503152010012001', today);
    expect(result).to.deep.equal({
      ok: true,
      value: {
        nip: '198503152010012001',
        employment: 'pns',
        birthDate: '1985-03-15',
        appointedYear: 2010,
        appointedMonth: 1,
        sex: 'female',
      },
    });
  });

  it('accepts the printed form with spaces, as on an ID card', () => {
    expect(problem('19850315 201001 2 001')).to.equal('ok');
  });

  it('reads an NI PPPK, which has 21 where the month stands', () => {
    const result = parseNip('199002102023211003', today);
    expect(result.ok && result.value).to.include({
      employment: 'pppk',
      appointedYear: 2023,
      appointedMonth: null,
      sex: 'male',
    });
  });

  it('needs exactly 18 digits', () => {
    expect(problem('19850315201001200')).to.equal('nip.length');
    expect(problem('1985031520100120011')).to.equal('nip.length');
    expect(problem('19850315201001200A')).to.equal('nip.length');
    expect(problem('')).to.equal('nip.length');
  });

  it('recognises a NIP that a spreadsheet turned into scientific notation', () => {
    expect(problem('1.98503E+17')).to.equal('nip.scientific');
    expect(problem('1,98503152010012E+17')).to.equal('nip.scientific');
  });

  it('needs a real birth date: 30 February and month 13 are refused, 29 February only in leap years', () => {
    expect(problem('198502302010012001')).to.equal('nip.birth_date');
    expect(problem('198513012010012001')).to.equal('nip.birth_date');
    expect(problem('198502292010012001')).to.equal('nip.birth_date');
    expect(problem('198402292010012001')).to.equal('ok');
    expect(problem('180001012010012001')).to.equal('nip.birth_date');
  });

  it('needs an appointment month from 01 to 12', () => {
    expect(problem('198503152010002001')).to.equal('nip.appointment');
    expect(problem('198503152010132001')).to.equal('nip.appointment');
  });

  it('refuses an appointment before the 18th birthday, to the month', () => {
    expect(problem('198503152003022001')).to.equal('nip.too_young');
    expect(problem('198503152003032001')).to.equal('ok');
    expect(problem('200506012022211001')).to.equal('nip.too_young');
  });

  it('refuses an appointment in the future', () => {
    expect(problem('198503152026122001')).to.equal('nip.future');
    expect(problem('198503152026112001')).to.equal('ok');
    expect(problem('198503152027211001')).to.equal('nip.future');
  });

  it('needs sex digit 1 or 2 and a sequence other than 000', () => {
    expect(problem('198503152010013001')).to.equal('nip.sex');
    expect(problem('198503152010010001')).to.equal('nip.sex');
    expect(problem('198503152010011000')).to.equal('nip.sequence');
  });
});
