/** A threshold expression or metric selector that cannot be parsed. */
export class ThresholdSyntaxError extends Error {
  readonly code = 'THRESHOLD_INVALID';
  /** The text that failed to parse, as written. */
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
    this.input = input;
  }
}
