import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The service's idea of "now". Everything date-dependent (due dates, overdue, reminders,
 * eligibility's program dates) asks this, so tests can move time without waiting for it.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Today's date in UTC+7 (Western Indonesia Time), where the program runs: YYYY-MM-DD. */
  today(): string {
    return new Date(this.now().getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  }

  /** For tests and drills: pretend it is `at`. */
  travelTo(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
