import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { populationOf, share } from './coverage.service.js';
import { wantsCsv } from '../common/csv-output.js';
import { renderCsv } from './report-output.js';
import { dateRange, instantBounds, monthsBefore } from './report-scope.js';

describe('report CSV', () => {
  const table = { name: 'x', columns: ['school', 'difference', 'ok', 'note'], rows: [{ school: 'SMP "Satu", Medan', difference: -2, ok: true, note: null }, { school: '=HYPERLINK("x")', difference: 0, ok: false, note: 'a\nb' }] };

  it('puts the parameters first, repeated on every row, under one header line', () => {
    const text = renderCsv({ from: '2027-01-01', schoolId: null }, table);
    expect(text.split('\n')[0]).toBe('parameters.from,parameters.schoolId,school,difference,ok,note');
    expect(parse(text, { columns: true })).toEqual([
      { 'parameters.from': '2027-01-01', 'parameters.schoolId': '', school: 'SMP "Satu", Medan', difference: '-2', ok: 'true', note: '' },
      { 'parameters.from': '2027-01-01', 'parameters.schoolId': '', school: `'=HYPERLINK("x")`, difference: '0', ok: 'false', note: 'a\nb' },
    ]);
  });

  it('is only a header line when there are no rows', () => {
    expect(renderCsv({ asOf: '2027-03-20' }, { ...table, rows: [] })).toBe('parameters.asOf,school,difference,ok,note\n');
  });

  it('answers CSV for format=csv, or for Accept: text/csv unless format=json', () => {
    expect(wantsCsv('csv', undefined)).toBe(true);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'application/json, text/csv;q=0.5')).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'application/json')).toBe(false);
    expect(wantsCsv(undefined, undefined)).toBe(false);
  });
});

describe('report dates', () => {
  it('defaults the range to end today and refuses one that runs backwards', () => {
    expect(dateRange({}, '2027-03-20', () => '2027-02-19')).toEqual({ from: '2027-02-19', to: '2027-03-20' });
    expect(dateRange({ to: '2027-01-31' }, '2027-03-20', (to) => `${to.slice(0, 8)}01`)).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    expect(() => dateRange({ from: '2027-03-02', to: '2027-03-01' }, '2027-03-20', () => '')).toThrow('not valid');
  });

  it('turns WIB days into UTC instants, the last day included', () => {
    const [from, to] = instantBounds({ from: '2027-02-01', to: '2027-02-28' });
    expect(from.toISOString()).toBe('2027-01-31T17:00:00.000Z');
    expect(to.toISOString()).toBe('2027-02-28T17:00:00.000Z');
  });

  it('counts months back across years', () => {
    expect(monthsBefore('2027-03-20', 11)).toBe('2026-04-01');
    expect(monthsBefore('2027-12-31', 11)).toBe('2027-01-01');
    expect(monthsBefore('2027-01-05', 0)).toBe('2027-01-01');
    expect(monthsBefore('2027-01-05', 13)).toBe('2025-12-01');
  });
});

describe('coverage', () => {
  it("takes the engine's defaults for the population rules", () => {
    expect(populationOf({})).toEqual({ enrolmentRequired: true, minGrade: null, maxGrade: null, schoolLevels: null, residencyRequired: false });
    expect(populationOf({ grades: { min: 7, max: 9 }, schoolLevels: [], enrolmentRequired: false, residencyRequired: true })).toEqual({
      enrolmentRequired: false,
      minGrade: 7,
      maxGrade: 9,
      schoolLevels: null,
      residencyRequired: true,
    });
  });

  it('rounds the share served to 4 decimals, null without eligible students', () => {
    expect(share(2, 3)).toBe(0.6667);
    expect(share(0, 0)).toBeNull();
    expect(share(5, 5)).toBe(1);
  });
});
