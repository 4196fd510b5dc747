/** Every error the runtime can hand a user, each with a stable code. */
export type RuntimeErrorCode =
  | 'FLOW_UNAVAILABLE'
  | 'FLOW_UNKNOWN'
  | 'FLOW_INVALID'
  | 'PLAN_INVALID'
  | 'WORKER_FAILED'
  | 'SINK_UNAVAILABLE';

export class BenchRuntimeError extends Error {
  override readonly name = 'BenchRuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    /** Where in the plan the problem is, e.g. `scenarios[0].flows[1].with.path`. */
    readonly path?: string,
  ) {
    super(message);
  }
}
