import { expect } from 'chai';
import {
  dateFormatter,
  dueAfterWorkingDays,
  endOfLocalDay,
  extendDue,
  isWorkingDay,
  localDate,
  pausedWorkingDays,
  startOfLocalDay,
  workingDaysBetween,
} from '../../src/platform/calendar.js';
import { nationalHolidays } from '../../src/modules/calendar/holidays-data.js';

const WIB = 'Asia/Jakarta';
const WITA = 'Asia/Makassar';
const WIT = 'Asia/Jayapura';
const none = new Set<string>();
const national = new Set(nationalHolidays.map((holiday) => holiday.date));
const at = (iso: string) => new Date(iso);

describe('Working days and SLA clocks (platform/calendar)', () => {
  describe('the local day of an instant', () => {
    it('agrees with Intl minute by minute across offset changes (the offsets are cached per quarter hour)', () => {
      // Zones with daylight saving: Berlin (whole hour), Lord Howe (half an hour, at 02:00 local), Kathmandu (+5:45).
      const intlDay = (instant: Date, timeZone: string) =>
        new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
          instant,
        );
      const cases: [string, string][] = [
        ['Europe/Berlin', '2026-03-28T21:00:00Z'],
        ['Europe/Berlin', '2026-10-24T20:00:00Z'],
        ['Australia/Lord_Howe', '2026-04-04T12:00:00Z'],
        ['Australia/Lord_Howe', '2026-10-03T12:00:00Z'],
        ['Asia/Kathmandu', '2026-06-01T17:00:00Z'],
        [WIT, '2026-01-09T14:00:00Z'],
      ];
      let checked = 0;
      for (const [zone, start] of cases)
        for (let minute = 0; minute < 8 * 60; minute += 7) {
          const instant = new Date(Date.parse(start) + minute * 60_000 + 13_000);
          expect(localDate(instant, zone), `${zone} ${instant.toISOString()}`).to.equal(intlDay(instant, zone));
          checked++;
        }
      expect(checked).to.equal(6 * 69);
    });

    it('reads the wall clock of the zone, not of the machine', () => {
      const instant = at('2026-01-09T16:30:00Z'); // Friday 23:30 WIB
      expect(localDate(instant, WIB)).to.equal('2026-01-09');
      expect(localDate(instant, WITA)).to.equal('2026-01-10');
      expect(localDate(instant, WIT)).to.equal('2026-01-10');
    });

    it('puts a ticket at 23:30 WIT on a Friday on Friday, and one at 23:30 WIB on Friday on Saturday in Ambon', () => {
      const lateInAmbon = at('2026-01-09T23:30:00+09:00');
      expect(localDate(lateInAmbon, WIT)).to.equal('2026-01-09');
      expect(localDate(lateInAmbon, WIB)).to.equal('2026-01-09'); // 21:30 in Jambi, still Friday

      const lateInJambi = at('2026-01-09T23:30:00+07:00');
      expect(localDate(lateInJambi, WIB)).to.equal('2026-01-09');
      expect(localDate(lateInJambi, WIT)).to.equal('2026-01-10'); // 01:30 on Saturday in Ambon
    });

    it('starts and ends a day at local midnight: WIB is UTC+7, WITA UTC+8, WIT UTC+9, all year round', () => {
      expect(startOfLocalDay('2026-07-01', WIB).toISOString()).to.equal('2026-06-30T17:00:00.000Z');
      expect(startOfLocalDay('2026-07-01', WITA).toISOString()).to.equal('2026-06-30T16:00:00.000Z');
      expect(endOfLocalDay('2026-12-31', WIT).toISOString()).to.equal('2026-12-31T14:59:59.999Z');
      expect(localDate(endOfLocalDay('2026-12-31', WIT), WIT)).to.equal('2026-12-31');
      expect(localDate(new Date(endOfLocalDay('2026-12-31', WIT).getTime() + 1), WIT)).to.equal('2027-01-01');
    });

    it('refuses an unknown time zone and an impossible date instead of guessing', () => {
      expect(() => localDate(new Date(), 'Asia/Atlantis')).to.throw(RangeError);
      expect(() => isWorkingDay('2026-02-30', none)).to.throw(RangeError);
      expect(() => dueAfterWorkingDays(new Date(), -1, WIB, none)).to.throw(RangeError);
      expect(() => dueAfterWorkingDays(new Date(), 1.5, WIB, none)).to.throw(RangeError);
      expect(() => localDate(new Date('not a date'), WIB)).to.throw(RangeError);
    });
  });

  describe('"within N working days"', () => {
    it('runs a clock over a weekend: received Friday 10:00 WIB, 3 working days → Wednesday 23:59:59.999 WIB', () => {
      const due = dueAfterWorkingDays(at('2026-01-09T10:00:00+07:00'), 3, WIB, none);
      expect(due.toISOString()).to.equal('2026-01-14T16:59:59.999Z');
    });

    it('skips a national holiday: received Wednesday, Isra Mikraj on Friday 16 January 2026 → due Tuesday', () => {
      const start = at('2026-01-14T10:00:00+07:00');
      expect(dueAfterWorkingDays(start, 3, WIB, none).toISOString()).to.equal('2026-01-19T16:59:59.999Z');
      expect(dueAfterWorkingDays(start, 3, WIB, national).toISOString()).to.equal('2026-01-20T16:59:59.999Z');
    });

    it('skips Nyepi, Idul Fitri and their cuti bersama in March 2026 as one long stretch', () => {
      // Received Tuesday 17 March; 18–24 March are cuti bersama, Nyepi, Idul Fitri and the weekend.
      const due = dueAfterWorkingDays(at('2026-03-17T10:00:00+07:00'), 3, WIB, national);
      expect(localDate(due, WIB)).to.equal('2026-03-27');
      expect(due.toISOString()).to.equal('2026-03-27T16:59:59.999Z');
    });

    it('counts a start on Saturday (or Sunday) from the next working day, due with Friday’s tickets', () => {
      const friday = dueAfterWorkingDays(at('2026-01-09T10:00:00+07:00'), 3, WIB, none);
      const saturday = dueAfterWorkingDays(at('2026-01-10T09:00:00+07:00'), 3, WIB, none);
      const sunday = dueAfterWorkingDays(at('2026-01-11T20:00:00+07:00'), 3, WIB, none);
      expect(saturday.toISOString()).to.equal(friday.toISOString());
      expect(sunday.toISOString()).to.equal(friday.toISOString());
      // A start on a holiday counts the same way: received on Idul Fitri Saturday, 1 day → Wednesday 25 March.
      expect(localDate(dueAfterWorkingDays(at('2026-03-21T08:00:00+07:00'), 1, WIB, national), WIB)).to.equal(
        '2026-03-25',
      );
    });

    it('gives the same instant, read in two zones, different due days across the day boundary', () => {
      // Thursday 23:30 WIB is already Friday 01:30 in Ambon.
      const instant = at('2026-01-08T23:30:00+07:00');
      const inJambi = dueAfterWorkingDays(instant, 3, WIB, none);
      const inAmbon = dueAfterWorkingDays(instant, 3, WIT, none);
      expect(localDate(inJambi, WIB)).to.equal('2026-01-13'); // Tuesday
      expect(inJambi.toISOString()).to.equal('2026-01-13T16:59:59.999Z');
      expect(localDate(inAmbon, WIT)).to.equal('2026-01-14'); // Wednesday
      expect(inAmbon.toISOString()).to.equal('2026-01-14T14:59:59.999Z');
    });

    it('reads 0 working days as "by the end of today", or of the next working day', () => {
      expect(localDate(dueAfterWorkingDays(at('2026-01-09T10:00:00+07:00'), 0, WIB, none), WIB)).to.equal('2026-01-09');
      expect(localDate(dueAfterWorkingDays(at('2026-01-10T10:00:00+07:00'), 0, WIB, none), WIB)).to.equal('2026-01-12');
    });

    it('runs over a year end: received on Christmas Eve 2027 (cuti bersama), 10 working days', () => {
      // 25 December (Christmas) and 26 December (Isra Mikraj 1449) fall on the weekend that follows.
      const due = dueAfterWorkingDays(at('2027-12-24T09:00:00+07:00'), 10, WIB, national);
      expect(localDate(due, WIB)).to.equal('2028-01-07');
    });
  });

  describe('elapsed working days, for display', () => {
    it('counts the working days that have ended since the start day, and is N exactly when N is overdue', () => {
      const start = at('2026-01-09T10:00:00+07:00'); // Friday
      const due = dueAfterWorkingDays(start, 3, WIB, none);
      expect(workingDaysBetween(start, at('2026-01-09T23:00:00+07:00'), WIB, none)).to.equal(0);
      expect(workingDaysBetween(start, at('2026-01-12T15:00:00+07:00'), WIB, none)).to.equal(0); // Monday running
      expect(workingDaysBetween(start, at('2026-01-14T12:00:00+07:00'), WIB, none)).to.equal(2);
      expect(workingDaysBetween(start, due, WIB, none)).to.equal(2);
      expect(workingDaysBetween(start, new Date(due.getTime() + 1), WIB, none)).to.equal(3);
      expect(workingDaysBetween(due, start, WIB, none)).to.equal(0);
    });
  });

  describe('a paused clock (awaiting the citizen)', () => {
    it('costs nothing for a pause within one day or over a weekend alone', () => {
      expect(pausedWorkingDays(at('2026-01-12T09:00:00+07:00'), at('2026-01-12T16:00:00+07:00'), WIB, none)).to.equal(
        0,
      );
      expect(pausedWorkingDays(at('2026-01-10T09:00:00+07:00'), at('2026-01-12T08:00:00+07:00'), WIB, none)).to.equal(
        0,
      );
      const due = at('2026-01-14T16:59:59.999Z');
      const same = extendDue(due, at('2026-01-12T09:00:00+07:00'), at('2026-01-12T16:00:00+07:00'), WIB, none);
      expect(same.toISOString()).to.equal(due.toISOString());
    });

    it('moves the due date on by each working day that ended while paused', () => {
      // Paused Monday 10:00, resumed Wednesday 09:00: Monday and Tuesday ended while paused.
      const due = dueAfterWorkingDays(at('2026-01-09T10:00:00+07:00'), 5, WIB, none); // Friday 16 Jan
      const moved = extendDue(due, at('2026-01-12T10:00:00+07:00'), at('2026-01-14T09:00:00+07:00'), WIB, none);
      expect(localDate(moved, WIB)).to.equal('2026-01-20'); // two working days after Friday 16 Jan
      expect(moved.toISOString()).to.equal('2026-01-20T16:59:59.999Z');
    });

    it('survives a long pause over Imlek and its cuti bersama with the days left intact', () => {
      // Received Monday 2 Feb 2026, 5 working days → Monday 9 Feb. With the citizen from Wednesday 4 Feb 10:00 to
      // Wednesday 18 Feb 11:00; 16 Feb (cuti bersama) and 17 Feb (Imlek) were not working days anyway.
      const due = dueAfterWorkingDays(at('2026-02-02T09:00:00+07:00'), 5, WIB, national);
      expect(localDate(due, WIB)).to.equal('2026-02-09');
      const pausedFrom = at('2026-02-04T10:00:00+07:00');
      const resumedAt = at('2026-02-18T11:00:00+07:00');
      expect(pausedWorkingDays(pausedFrom, resumedAt, WIB, national)).to.equal(8);
      const moved = extendDue(due, pausedFrom, resumedAt, WIB, national);
      // Before the pause Wednesday, Thursday, Friday and Monday were left; after it Wednesday 18 to Monday 23.
      expect(localDate(moved, WIB)).to.equal('2026-02-23');
      const endsLeft = (from: Date, until: Date) =>
        pausedWorkingDays(from, new Date(until.getTime() + 1), WIB, national);
      expect(endsLeft(pausedFrom, due)).to.equal(4);
      expect(endsLeft(resumedAt, moved)).to.equal(4);
    });
  });

  describe('date formatters, kept per locale and options', () => {
    it('gives one formatter per locale and options, and the right text for each zone and language', () => {
      const at = new Date('2026-01-21T16:59:00Z');
      const wib = dateFormatter('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' });
      expect(dateFormatter('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' })).to.equal(
        wib,
      );
      const wit = dateFormatter('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jayapura' });
      const english = dateFormatter('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' });
      expect(wit).to.not.equal(wib);
      expect(wib.format(at)).to.match(/21 Jan 2026.*23[.:]59/);
      expect(wit.format(at)).to.match(/22 Jan 2026.*01[.:]59/);
      expect(english.format(at)).to.match(/21 Jan 2026.*23:59/);
      expect(() => dateFormatter('id-ID', { timeZone: 'Asia/Jakrta' })).to.throw(RangeError);
    });
  });
});
