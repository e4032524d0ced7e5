import { addDays } from './clock.js';

/**
 * What a real record of this program can hold (docs/api.md, "Plausible values"). Students are
 * school children: born between 25 and 4 years before today (kindergarten leavers to SMK repeaters
 * and late starters, with room on both sides).
 */
export const SCHOOL_AGE_YEARS = { youngest: 4, oldest: 25 } as const;

const yearsBefore = (today: string, years: number) => `${String(Number(today.slice(0, 4)) - years).padStart(4, '0')}${today.slice(4)}`.replace(/-02-29$/, '-02-28');

/** The earliest and latest birth dates a student may have today (YYYY-MM-DD). */
export function schoolAgeBirthDates(today: string): { earliest: string; latest: string } {
  return { earliest: addDays(yearsBefore(today, SCHOOL_AGE_YEARS.oldest), 1), latest: yearsBefore(today, SCHOOL_AGE_YEARS.youngest) };
}

export function isSchoolAgeBirthDate(date: string, today: string): boolean {
  const { earliest, latest } = schoolAgeBirthDates(today);
  return date >= earliest && date <= latest;
}
