// What every benchmark returns; the `stacklens bench` runner prints these as one table.
export interface BenchFigure {
  /** e.g. "parse+classify+fingerprint" */
  readonly name: string;
  /** the median over `runs` when there are several */
  readonly value: number;
  /** e.g. "records/s", "ms", "MB" */
  readonly unit: string;
  readonly runs?: readonly number[];
  /** e.g. ">= 50000" */
  readonly target?: string;
}
