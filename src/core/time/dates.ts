/**
 * The calendar date commands judge `expires`, due dates and Overdue against: one day for everyone, UTC, so a
 * run in another timezone at the same instant says the same.
 */

/** `now` as YYYY-MM-DD in UTC (default: this instant). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
