import { expect } from 'chai';
import type { Actor } from '../../src/platform/access.js';
import { nationalHolidays } from '../../src/modules/calendar/holidays-data.js';
import { Holiday } from '../../src/modules/calendar/model.js';
import {
  addHoliday,
  calendarFor,
  ensureNationalHolidays,
  holidaysFor,
  removeHoliday,
} from '../../src/modules/calendar/service.js';
import { localDate } from '../../src/platform/calendar.js';
import { seedDirectory } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';

describe('Holiday calendar: seed data, agencies, clocks', () => {
  useTestDatabase();
  let root: Actor;
  before(async () => {
    ({ admin: root } = await seedDirectory());
  });

  describe('the national seed for 2026 and 2027', () => {
    it('has each day once, on the dates of the SKB 3 Menteri', () => {
      const dates = nationalHolidays.map((holiday) => holiday.date);
      expect(new Set(dates).size).to.equal(dates.length);
      const count = (year: string, kind: string) =>
        nationalHolidays.filter((holiday) => holiday.date.startsWith(year) && holiday.kind === kind).length;
      expect(count('2026', 'national')).to.equal(17);
      expect(count('2026', 'cuti_bersama')).to.equal(8);
      expect(count('2027', 'national')).to.equal(18); // two Isra Mikraj: 1448 H and 1449 H
      expect(count('2027', 'cuti_bersama')).to.equal(8);
      const on = (date: string) => nationalHolidays.find((holiday) => holiday.date === date)?.name_id;
      expect(on('2026-03-19')).to.match(/Nyepi/);
      expect(on('2026-03-21')).to.match(/Idul Fitri 1447/);
      expect(on('2026-05-27')).to.match(/Idul Adha 1447/);
      expect(on('2026-05-31')).to.match(/Waisak 2570/);
      expect(on('2026-02-17')).to.match(/Imlek 2577/);
      expect(on('2027-03-08')).to.match(/Nyepi/);
      expect(on('2027-03-10')).to.match(/Idul Fitri 1448/);
      expect(on('2027-03-26')).to.match(/Wafat Yesus/);
      expect(on('2027-05-06')).to.match(/Kenaikan Yesus/);
    });

    it('marks no 2026 day provisional, and the Islamic days and cuti bersama of 2027 provisional', () => {
      expect(nationalHolidays.filter((h) => h.date.startsWith('2026') && h.provisional)).to.have.length(0);
      const provisional2027 = nationalHolidays.filter((h) => h.date.startsWith('2027') && h.provisional);
      expect(provisional2027.map((h) => h.date)).to.include.members(['2027-03-10', '2027-05-17', '2027-12-24']);
      expect(provisional2027.map((h) => h.date)).not.to.include('2027-08-17');
    });
  });

  describe('ensureNationalHolidays()', () => {
    it('is idempotent: run twice, and by two processes at once, it leaves each day once', async () => {
      const [first, second] = await Promise.all([ensureNationalHolidays(), ensureNationalHolidays()]);
      expect(first + second).to.equal(nationalHolidays.length);
      expect(await ensureNationalHolidays()).to.equal(0);
      expect(await Holiday.countDocuments({ agencyCode: null })).to.equal(nationalHolidays.length);
      expect((await holidaysFor(null, 2026, 2026)).size).to.equal(25);
      expect((await holidaysFor(null, 2027, 2027)).size).to.equal(26);
    });

    it('does not bring back a national day an admin removed, nor undo a rename', async () => {
      const [eidAlAdha] = await Holiday.find({ date: '2027-05-17', agencyCode: null }).lean();
      await removeHoliday(root, String(eidAlAdha!._id));
      await Holiday.updateOne({ date: '2027-05-06' }, { $set: { name_id: 'Kenaikan Isa Almasih' } });
      await ensureNationalHolidays();
      expect(await holidaysFor(null, 2027, 2027)).not.to.include('2027-05-17');
      expect((await Holiday.findOne({ date: '2027-05-06' }).lean())!.name_id).to.equal('Kenaikan Isa Almasih');
      // The admin can put it back (the government confirmed it after all).
      await addHoliday(root, {
        date: '2027-05-17',
        kind: 'national',
        name_id: 'Idul Adha 1448 H',
        name: 'Eid al-Adha',
      });
      expect(await holidaysFor(null, 2027, 2027)).to.include('2027-05-17');
      expect(await Holiday.countDocuments({ date: '2027-05-17' })).to.equal(1);
    });
  });

  describe('local holidays', () => {
    before(async () => {
      await ensureNationalHolidays();
      // HUT Provinsi Jambi on 6 January, a Tuesday in 2026.
      await addHoliday(root, {
        date: '2026-01-06',
        kind: 'local',
        agencyCode: 'JAMBI',
        name_id: 'HUT Provinsi Jambi',
        name: 'Jambi Province Anniversary',
      });
    });

    it("count for the agency's own clocks and not for another agency's", async () => {
      expect(await holidaysFor('JAMBI', 2026, 2026)).to.include('2026-01-06');
      expect(await holidaysFor('AMBON', 2026, 2026)).not.to.include('2026-01-06');
      expect(await holidaysFor(null)).not.to.include('2026-01-06');

      // Received Monday 5 January 2026, 3 working days.
      const jambi = await calendarFor({ agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' });
      const ambon = await calendarFor({ agencyCode: 'AMBON', timeZone: 'Asia/Jayapura' });
      const start = new Date('2026-01-05T09:00:00+07:00');
      expect(localDate(jambi.dueAfterWorkingDays(start, 3), 'Asia/Jakarta')).to.equal('2026-01-09');
      expect(localDate(ambon.dueAfterWorkingDays(start, 3), 'Asia/Jayapura')).to.equal('2026-01-08');
      expect(jambi.isWorkingDay(new Date('2026-01-06T10:00:00+07:00'))).to.equal(false);
      expect(ambon.isWorkingDay(new Date('2026-01-06T10:00:00+09:00'))).to.equal(true);
    });

    it('reach the clocks of this process at once after a change', async () => {
      const before = await holidaysFor('AMBON', 2026, 2026);
      expect(before).not.to.include('2026-09-07');
      const added = await addHoliday(root, {
        date: '2026-09-07',
        kind: 'local',
        agencyCode: 'AMBON',
        name_id: 'HUT Kota Ambon',
        name: 'Ambon City Anniversary',
      });
      expect(await holidaysFor('AMBON', 2026, 2026)).to.include('2026-09-07');
      await removeHoliday(root, added.id);
      expect(await holidaysFor('AMBON', 2026, 2026)).not.to.include('2026-09-07');
    });

    it('are refused on a day that is already national, and twice on one day', async () => {
      const onNational = addHoliday(root, {
        date: '2026-08-17',
        kind: 'local',
        agencyCode: 'JAMBI',
        name_id: 'Upacara',
        name: 'Ceremony',
      });
      await expectValidation(onNational, 'date', 'holiday.already_national');
      const twice = addHoliday(root, {
        date: '2026-01-06',
        kind: 'local',
        agencyCode: 'JAMBI',
        name_id: 'HUT Jambi lagi',
        name: 'Again',
      });
      await expectValidation(twice, 'date', 'holiday.exists');
    });

    it('belong to an agency, not to a unit below it', async () => {
      const onUnit = addHoliday(root, {
        date: '2026-10-01',
        kind: 'local',
        agencyCode: 'JAMBI-DINKES',
        name_id: 'HUT Dinas',
        name: 'Office anniversary',
      });
      await expectValidation(onUnit, 'agencyCode', 'holiday.unknown_agency');
    });
  });
});

async function expectValidation(promise: Promise<unknown>, field: string, key: string) {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; fields?: Record<string, { key: string }> };
    expect(e.code).to.equal('validation');
    expect(e.fields?.[field]?.key).to.equal(key);
    return;
  }
  expect.fail('expected a validation error');
}
