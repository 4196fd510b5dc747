import { Type } from '@sinclair/typebox';
import type { TObject, TSchema, TString } from '@sinclair/typebox';
import { DURATION_PATTERN } from './duration.js';

/**
 * The scenario file, in k6's vocabulary. Every part is a TypeBox schema, which gives the
 * validator and the JSON Schema (scenarios/schema.json) from one source. Parts whose shape
 * depends on a sibling (an executor's options depend on `executor`, a flow's `with` on `flow`)
 * are validated in two steps by parse.ts so that each error names the exact field; the full
 * schema below expresses the same rules as unions for editors.
 */

export const EXECUTORS = [
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'constant-vus',
  'per-vu-iterations',
  'max-throughput',
] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

/** Flows the file may name. Some are not runnable yet: the runtime rejects those, not the parser. */
export const FLOWS = [
  'http',
  'sms.send',
  'verify.start',
  'verify.check',
  'video.join',
  'voice.call',
] as const;
export type FlowName = (typeof FLOWS)[number];

export const MESSAGE_STATUSES = [
  'queued',
  'accepted',
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const strict = { additionalProperties: false } as const;

function oneOfStrings<T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TSchema {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  );
}

/** A k6 duration string (converted to milliseconds by parse.ts). */
export function durationSchema(description = "A k6 duration: '500ms', '30s', '1m30s', '1h'."): TString {
  return Type.String({
    pattern: DURATION_PATTERN,
    description,
    errorMessage: "expected a duration like '500ms', '30s' or '1m30s'",
  });
}
const Duration = durationSchema();
const Count = (description: string, minimum = 0): TSchema => Type.Integer({ minimum, description });
const Rate = (description: string): TSchema => Type.Number({ minimum: 0, description });
const Tags = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' }), Type.String(), {
  description: 'Tags on every sample of this scenario (k6 style: region, cell, phase, …).',
});

// ---- flows ---------------------------------------------------------------------------------

const FormValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const Status = Type.Integer({ minimum: 100, maximum: 599 });

export const HttpWith = Type.Object(
  {
    method: Type.Optional(oneOfStrings(HTTP_METHODS, { description: "Default 'GET'." })),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Path on the lab, e.g. '/healthz' ({AccountSid} is substituted).",
      }),
    ),
    url: Type.Optional(
      Type.String({ minLength: 1, description: 'Absolute URL (instead of `path`; sent without auth).' }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String({ description: 'Raw body (at most one of body, form, json).' })),
    form: Type.Optional(Type.Record(Type.String(), FormValue, { description: 'Sent urlencoded.' })),
    json: Type.Optional(Type.Unknown({ description: 'Sent as JSON.' })),
    expectStatus: Type.Optional(
      Type.Union([Status, Type.Array(Status, { minItems: 1 })], {
        description: 'Statuses that count as success (default: any status below 400).',
      }),
    ),
    auth: Type.Optional(
      oneOfStrings(['account', 'none'] as const, {
        description: "Account Basic auth ('account', the default with `path`) or none.",
      }),
    ),
  },
  { ...strict, description: 'A plain HTTP request; exactly one of `path` and `url`.' },
);

export const SmsSendWith = Type.Object(
  {
    to: Type.Union(
      [Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })],
      {
        description: 'E.164 destination (a simulated handset), or a list used in turn.',
      },
    ),
    from: Type.Optional(Type.String({ minLength: 1 })),
    messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
    body: Type.Optional(Type.String()),
    awaitStatus: Type.Optional(
      oneOfStrings(MESSAGE_STATUSES, {
        description:
          'Status the iteration waits for. Absent: the iteration ends at the 201 (the sink still measures delivery).',
      }),
    ),
    timeout: Type.Optional(durationSchema('How long to wait for `awaitStatus`. Default 30s.')),
  },
  {
    ...strict,
    description:
      'POST Messages.json then await a status callback; exactly one of `from` and `messagingServiceSid`.',
  },
);

/** Parameters of flows the lab cannot run yet: kept as written, checked when the product exists. */
const OpaqueWith = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Parameters of a flow whose product the lab does not have yet (passed through).',
});

export const FLOW_WITH: Readonly<Record<FlowName, TSchema>> = {
  http: HttpWith,
  'sms.send': SmsSendWith,
  'verify.start': OpaqueWith,
  'verify.check': OpaqueWith,
  'video.join': OpaqueWith,
  'voice.call': OpaqueWith,
};

const Weight = Type.Number({ exclusiveMinimum: 0, description: 'Relative share of iterations. Default 1.' });

/** A flow entry with `with` left open: the first validation step (parse.ts checks `with` next). */
export const FlowEntryShape = Type.Object(
  { flow: oneOfStrings(FLOWS), weight: Type.Optional(Weight), with: Type.Optional(Type.Unknown()) },
  strict,
);

const FlowEntry = Type.Union(
  FLOWS.map((flow) =>
    Type.Object(
      { flow: Type.Literal(flow), weight: Type.Optional(Weight), with: Type.Optional(FLOW_WITH[flow]) },
      strict,
    ),
  ),
);

// ---- executors -----------------------------------------------------------------------------

const EXECUTOR_OPTIONS: Readonly<Record<ExecutorName, Record<string, TSchema>>> = {
  'constant-arrival-rate': {
    rate: Rate('Iterations started per `timeUnit`.'),
    timeUnit: Type.Optional(durationSchema("Default '1s'.")),
    duration: Duration,
    preAllocatedVUs: Count('VUs created before the start.', 1),
    maxVUs: Type.Optional(Count('Upper bound of the VU pool. Default preAllocatedVUs.', 1)),
  },
  'ramping-arrival-rate': {
    startRate: Type.Optional(Rate('Rate at the start, per `timeUnit`. Default 0.')),
    timeUnit: Type.Optional(durationSchema("Default '1s'.")),
    stages: Type.Array(
      Type.Object({ duration: Duration, target: Rate('Rate reached at the end of the stage.') }, strict),
      { minItems: 1 },
    ),
    preAllocatedVUs: Count('VUs created before the start.', 1),
    maxVUs: Type.Optional(Count('Upper bound of the VU pool. Default preAllocatedVUs.', 1)),
  },
  'constant-vus': {
    vus: Type.Optional(Count('Default 1.', 1)),
    duration: Duration,
  },
  'per-vu-iterations': {
    vus: Type.Optional(Count('Default 1.', 1)),
    iterations: Type.Optional(Count('Iterations per VU. Default 1.', 1)),
    maxDuration: Type.Optional(durationSchema("Default '10m'.")),
  },
  'max-throughput': {
    connections: Type.Optional(Count('Concurrent connections. Default 10.', 1)),
    duration: Duration,
    pipelining: Type.Optional(Count('Requests in flight per connection. Default 1.', 1)),
  },
};

function executorSchema(executor: ExecutorName, flowEntry: TSchema, withSchema: TSchema): TObject {
  return Type.Object(
    {
      executor: Type.Literal(executor),
      ...EXECUTOR_OPTIONS[executor],
      startTime: Type.Optional(durationSchema("Offset from the run's start. Default '0s'.")),
      gracefulStop: Type.Optional(durationSchema("Time iterations get to finish. Default '30s'.")),
      tags: Type.Optional(Tags),
      flow: Type.Optional(oneOfStrings(FLOWS, { description: 'The single flow (or use `flows`).' })),
      with: Type.Optional(withSchema),
      flows: Type.Optional(
        Type.Array(flowEntry, { minItems: 1, description: 'Weighted flows (or use `flow`).' }),
      ),
    },
    strict,
  );
}

/** Per-executor schemas with flows left open: the second validation step. */
export const EXECUTOR_SHAPES: Readonly<Record<ExecutorName, TObject>> = Object.fromEntries(
  EXECUTORS.map((name) => [name, executorSchema(name, Type.Unknown(), Type.Unknown())]),
) as Record<ExecutorName, TObject>;

// ---- thresholds, faults, top level ---------------------------------------------------------

export const ThresholdObject = Type.Object(
  {
    threshold: Type.String({ minLength: 1, description: "k6 expression, e.g. 'p(99)<200'." }),
    abortOnFail: Type.Optional(Type.Boolean()),
    delayAbortEval: Type.Optional(Duration),
    window: Type.Optional(durationSchema('Sliding window; fails if any window fails.')),
  },
  strict,
);
const ThresholdItem = Type.Union([Type.String({ minLength: 1 }), ThresholdObject]);

/** Handed to the chaos engine as written; only the fields every fault needs are checked here. */
export const Fault = Type.Object(
  {
    at: durationSchema("When to inject, from the run's start."),
    action: Type.String({ minLength: 1 }),
    target: Type.String({ minLength: 1 }),
    for: Type.Optional(durationSchema('How long before it is reverted.')),
  },
  { additionalProperties: true },
);

export const Lab = Type.Object(
  {
    mode: oneOfStrings(['embedded', 'url'] as const),
    url: Type.Optional(
      Type.String({ pattern: '^https?://', description: "Base URL of a running lab (mode 'url')." }),
    ),
    profile: Type.Optional(oneOfStrings(['lab', 'realistic'] as const)),
  },
  strict,
);

export const Setup = Type.Object(
  {
    accounts: Type.Optional(Count('Default 1.', 1)),
    numbersPerAccount: Type.Optional(Count('Numbers to own besides the senders the flows name. Default 0.')),
    messagingServices: Type.Optional(Count('Default 0.')),
    verifyServices: Type.Optional(Count('Default 0.')),
    rooms: Type.Optional(Count('Default 0.')),
  },
  strict,
);

const SCENARIO_NAME = '^[A-Za-z0-9_][A-Za-z0-9_.-]*$';

function topLevel(scenario: TSchema, thresholdItem: TSchema, fault: TSchema): TObject {
  return Type.Object(
    {
      $schema: Type.Optional(Type.String()),
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      lab: Type.Optional(Lab),
      setup: Type.Optional(Setup),
      scenarios: Type.Record(Type.String({ pattern: SCENARIO_NAME }), scenario, { minProperties: 1 }),
      thresholds: Type.Optional(
        Type.Record(Type.String(), Type.Array(thresholdItem, { minItems: 1 }), {
          description: "k6 thresholds: 'metric{tag:value}' -> expressions.",
        }),
      ),
      faults: Type.Optional(Type.Array(fault)),
    },
    strict,
  );
}

/** The top level with scenarios, threshold items and faults left open: the first validation step. */
export const ScenarioFileShape = topLevel(Type.Unknown(), Type.Unknown(), Type.Unknown());

/** The complete schema of a scenario file (what scenarios/schema.json is generated from). */
function completeSchema(): TObject {
  // Flow entries and `with` shapes are shared by every executor: defined once, referenced.
  const flowEntry = Type.Unsafe({ $ref: '#/definitions/flowEntry' });
  const flowWith = Type.Unsafe({ $ref: '#/definitions/flowWith' });
  return topLevel(
    Type.Union(EXECUTORS.map((name) => executorSchema(name, flowEntry, flowWith))),
    ThresholdItem,
    Fault,
  );
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/**
 * scenarios/schema.json's content. Deterministic (key order follows the schema source) so a
 * test can compare the committed file with a fresh one.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  // JSON round trip drops TypeBox's symbol-keyed metadata and undefined members.
  const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'twilio-lab/scenario.schema.json',
    title: 'twilio-lab bench scenario',
    ...(plain(completeSchema()) as Record<string, unknown>),
    definitions: {
      flowEntry: plain(FlowEntry),
      flowWith: plain(Type.Union(Object.values(FLOW_WITH).filter(unique))),
    },
  };
}

/** The file text of scenarios/schema.json (2-space JSON with a trailing newline). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
