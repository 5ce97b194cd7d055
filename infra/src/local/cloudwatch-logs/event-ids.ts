// CloudWatch Logs event ids are opaque 56-digit decimal strings. Consumers (our ingest handler included) use
// them to deduplicate, so ours are unique and strictly increasing in ingestion order; being of equal length,
// they also sort correctly as strings.
const ID_DIGITS = 56;
const IDS_PER_MILLISECOND = 1_000_000n;

export class EventIdSequence {
  private last = 0n;

  /** `nowMs` seeds the id so ids from separate runs of the emulator still increase with wall time. */
  next(nowMs: number): string {
    let candidate = BigInt(Math.max(0, Math.trunc(nowMs))) * IDS_PER_MILLISECOND;
    if (candidate <= this.last) candidate = this.last + 1n;
    this.last = candidate;
    // The leading 3 mirrors real ids (which start with 3 today) and keeps every id exactly 56 digits long.
    return `3${candidate.toString().padStart(ID_DIGITS - 1, '0')}`;
  }
}
