/**
 * Values that must be unique within a file (asset tags, NISNs). A value used twice rejects
 * **every** line that uses it, each told of the other: which one is right is for a person to
 * decide. The first line was good when read, so it is handed to `demote` to be taken back out.
 */
export class RepeatedValues<Column extends string> {
  /** Per column: value -> first line; negative once that line has been told of a repeat. */
  private readonly firstLines = new Map<Column, Map<string, number>>();

  constructor(
    private readonly report: (line: number, column: Column, value: string, otherLine: number) => void,
    private readonly demote: (line: number) => void,
  ) {}

  /** True when the value was seen on an earlier line; both lines are then reported. */
  check(column: Column, value: string, line: number): boolean {
    let seen = this.firstLines.get(column);
    if (!seen) this.firstLines.set(column, (seen = new Map()));
    const first = seen.get(value);
    if (first === undefined) {
      seen.set(value, line);
      return false;
    }
    this.report(line, column, value, Math.abs(first));
    if (first > 0) {
      // The first line hears of its twin once.
      this.report(first, column, value, line);
      seen.set(value, -first);
      this.demote(first);
    }
    return true;
  }
}
