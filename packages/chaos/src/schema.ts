/**
 * The experiment file and the parameters of each fault action as TypeBox schemas (one source
 * for validation and, later, a published JSON Schema). Unknown keys are rejected everywhere.
 */
import { Type } from '@sinclair/typebox';
import type { TObject, TSchema } from '@sinclair/typebox';
import { DURATION_PATTERN } from './duration.js';
import { FAULT_ACTIONS, type FaultAction } from './types.js';

const strict = { additionalProperties: false } as const;

function oneOf(values: readonly string[], description?: string): TSchema {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    description === undefined ? {} : { description },
  );
}

export function durationSchema(description = "A duration: '500ms', '5s', '1m30s'."): TSchema {
  return Type.String({
    pattern: DURATION_PATTERN,
    description,
    errorMessage: "expected a duration like '500ms', '30s' or '1m30s'",
  });
}

const Ms = (description: string): TSchema => Type.Integer({ minimum: 0, description });
const Percent = (description: string): TSchema => Type.Number({ minimum: 0, maximum: 100, description });

/** Keys every link toxic accepts besides its attributes. */
const TOXIC_COMMON = {
  stream: Type.Optional(
    oneOf(
      ['upstream', 'downstream', 'both'],
      "Direction: client→server, server→client, or both. Default 'downstream'.",
    ),
  ),
  toxicity: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, description: 'Share of connections affected (0..1). Default 1.' }),
  ),
};

/** Parameters per action (the FaultSpec's `params`: everything but at/for/action/target). */
export const ACTION_PARAMS: Readonly<Record<FaultAction, TObject>> = {
  latency: Type.Object(
    { latency: Ms('Added delay, ms.'), jitter: Type.Optional(Ms('± uniform jitter, ms.')), ...TOXIC_COMMON },
    strict,
  ),
  bandwidth: Type.Object({ rate: Ms('KB/s.'), ...TOXIC_COMMON }, strict),
  slow_close: Type.Object({ delay: Ms('Delay before the close is passed on, ms.'), ...TOXIC_COMMON }, strict),
  timeout: Type.Object(
    {
      timeout: Type.Optional(Ms('Close after this long; 0 (default): drop data until the fault ends.')),
      ...TOXIC_COMMON,
    },
    strict,
  ),
  reset_peer: Type.Object(
    { timeout: Type.Optional(Ms('RST after this long; default 0 (on the first data).')), ...TOXIC_COMMON },
    strict,
  ),
  slicer: Type.Object(
    {
      average_size: Type.Integer({ minimum: 1, description: 'Bytes per slice.' }),
      size_variation: Type.Optional(Type.Integer({ minimum: 0 })),
      delay: Type.Optional(Type.Integer({ minimum: 0, description: 'Between slices, MICROseconds.' })),
      ...TOXIC_COMMON,
    },
    strict,
  ),
  limit_data: Type.Object({ bytes: Type.Integer({ minimum: 0 }), ...TOXIC_COMMON }, strict),
  down: Type.Object({}, strict),
  up: Type.Object({}, strict),
  kill: Type.Object({}, strict),
  pause: Type.Object({}, strict),
  restart: Type.Object({}, strict),
  netem: Type.Object(
    {
      delay: Type.Optional(Ms('One-way delay, ms.')),
      jitter: Type.Optional(Ms('± jitter, ms (needs delay).')),
      loss: Type.Optional(Percent('Packets dropped, %.')),
      reorder: Type.Optional(Percent('Packets reordered, % (needs delay).')),
      duplicate: Type.Optional(Percent('Packets duplicated, %.')),
      corrupt: Type.Optional(Percent('Packets corrupted, %.')),
    },
    strict,
  ),
};

/** A fault entry before its action is known: the first validation step. */
export const FaultEntryShape = Type.Object(
  {
    at: durationSchema("When to inject, from the start of the run ('0s' = at once)."),
    for: Type.Optional(durationSchema('How long before it is reverted; absent: until the end of the run.')),
    action: oneOf(FAULT_ACTIONS),
    target: Type.String({ minLength: 1, description: "Link, process or namespace name; '*' and '?' glob." }),
  },
  { additionalProperties: true },
);

const Tolerance = Type.Object(
  {
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    equals: Type.Optional(Type.Union([Type.Number(), Type.Boolean(), Type.String()])),
  },
  strict,
);

const Status = Type.Integer({ minimum: 100, maximum: 599 });

const HttpProbe = Type.Object(
  {
    url: Type.String({ minLength: 1, description: '${NAME} is replaced from vars / the environment.' }),
    method: Type.Optional(oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    form: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
    auth: Type.Optional(Type.Object({ username: Type.String(), password: Type.String() }, strict)),
    expectStatus: Type.Optional(Type.Union([Status, Type.Array(Status, { minItems: 1 })])),
    timeout: Type.Optional(durationSchema("Per request. Default '5s'.")),
    repeat: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: 'Requests per check. Default 1.' }),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Default 1.' })),
  },
  strict,
);

const PrometheusProbe = Type.Object(
  { query: Type.String({ minLength: 1 }), timeout: Type.Optional(durationSchema()) },
  strict,
);

export const MEASURE_PATTERN =
  '^(status|error_rate|latency\\.(p50|p95|p99|max|mean)|json:[A-Za-z0-9_.\\[\\]-]+)$';

const PhaseList = Type.Array(oneOf(['before', 'during', 'after']), { minItems: 1 });
const PhaseMap = Type.Object(
  {
    before: Type.Optional(Type.Union([Tolerance, Type.Null()])),
    during: Type.Optional(Type.Union([Tolerance, Type.Null()])),
    after: Type.Optional(Type.Union([Tolerance, Type.Null()])),
  },
  { ...strict, minProperties: 1 },
);

export const ProbeShape = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    http: Type.Optional(HttpProbe),
    prometheus: Type.Optional(PrometheusProbe),
    custom: Type.Optional(
      Type.String({ minLength: 1, description: 'Name of a callback the harness supplies.' }),
    ),
    measure: Type.Optional(
      Type.String({
        pattern: MEASURE_PATTERN,
        errorMessage: 'expected status, error_rate, latency.p50|p95|p99|max|mean or json:<path>',
      }),
    ),
    tolerance: Type.Optional(Tolerance),
    phases: Type.Optional(
      Type.Union([PhaseList, PhaseMap], {
        description: 'A list of phases (with `tolerance`), or phase → its own tolerance (null: none).',
      }),
    ),
    abortOnFail: Type.Optional(Type.Boolean()),
    until: Type.Optional(durationSchema('Before/after: retry until it holds, at most this long.')),
  },
  strict,
);

export const ExperimentShape = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' }),
    description: Type.Optional(Type.String()),
    vars: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String())),
    hypothesis: Type.Optional(
      Type.Object(
        {
          title: Type.String({ minLength: 1 }),
          interval: Type.Optional(durationSchema("Checks while faults are active. Default '1s'.")),
          probes: Type.Array(Type.Unknown(), { minItems: 1 }),
        },
        strict,
      ),
    ),
    faults: Type.Array(Type.Unknown(), { minItems: 1 }),
    duration: Type.Optional(durationSchema('Length of the method; default: until the last fault ends.')),
  },
  strict,
);
