import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_DELAY_MS, reminderLevelName, reminderLevels, retryDelayMs } from './notification-rules.js';

describe('reminder levels', () => {
  it('names levels without signs', () => {
    expect([-3, 0, 1, 14].map(reminderLevelName)).toEqual(['before_3d', 'due_date', 'after_1d', 'after_14d']);
  });

  it('escalates the last level only', () => {
    expect(reminderLevels([-3, 1, 7, 14]).filter((l) => l.escalates).map((l) => l.days)).toEqual([14]);
  });
});

describe('retry delay', () => {
  it('doubles from the base after each failed attempt, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 60_000))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(40, 60_000)).toBe(MAX_RETRY_DELAY_MS);
  });
});
