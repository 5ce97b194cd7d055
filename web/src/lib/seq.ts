/**
 * Watches the system-wide `seq` of live messages for holes. Messages can arrive slightly out of order, so a hole is
 * only reported once it has stayed open for a grace period; a late message that fills it cancels the report.
 */
export class SeqTracker {
  private highest: number | undefined;
  private readonly missing = new Set<number>();
  private openedAt: number | undefined;

  /** Holes bigger than this are not tracked number by number: a refetch is due anyway. */
  static readonly MAX_TRACKED = 1_000;

  constructor(private readonly graceMs = 750) {}

  /** Records a message; returns true when it revealed a hole that is too big to wait for. */
  observe(seq: number, now: number): boolean {
    if (!Number.isSafeInteger(seq)) return false;
    this.missing.delete(seq);
    if (this.highest === undefined) {
      this.highest = seq;
    } else if (seq > this.highest) {
      const gap = seq - this.highest - 1;
      if (gap > SeqTracker.MAX_TRACKED) {
        this.highest = seq;
        this.missing.clear();
        this.openedAt = undefined;
        return true;
      }
      for (let s = this.highest + 1; s < seq; s++) this.missing.add(s);
      this.highest = seq;
    }
    if (this.missing.size === 0) this.openedAt = undefined;
    else this.openedAt ??= now;
    return false;
  }

  /** True when a hole has stayed open past the grace period: messages were lost and the caller should refetch. */
  overdue(now: number): boolean {
    return this.openedAt !== undefined && now - this.openedAt >= this.graceMs;
  }

  get hasHoles(): boolean {
    return this.missing.size > 0;
  }

  get lastSeq(): number | undefined {
    return this.highest;
  }

  /** After a refetch everything up to now is known, so old holes no longer matter. */
  settle(): void {
    this.missing.clear();
    this.openedAt = undefined;
  }

  /** A new connection starts a new sequence of observations (the refetch on connect covers the time between). */
  reset(): void {
    this.settle();
    this.highest = undefined;
  }
}
