import { Type } from '@twilio-lab/core';
import type { Static } from '@twilio-lab/core';
import type { TString } from '@sinclair/typebox';

/**
 * The topology file (`topologies/*.yaml`): regions, their cells and backends, where accounts
 * are placed, the ports, and the region-to-region latency matrix. One TypeBox schema gives the
 * types, the validator (unknown keys rejected, every error with its path) and the published
 * JSON Schema (topologies/schema.json). Rules a JSON Schema cannot say (unique ids, references
 * to known regions and cells) are checked by load.ts with the same path style.
 */

const strict = { additionalProperties: false } as const;

/** Region and cell ids name folders, PostgreSQL schemas and process names: keep them plain. */
export const ID_PATTERN = '^[a-z][a-z0-9-]{0,30}$';
export const ACCOUNT_SID_PATTERN = '^AC[0-9a-f]{32}$';
/** `<region>/<cell>`, as written in placement.explicit. */
export const CELL_REF_PATTERN = '^[a-z][a-z0-9-]{0,30}/[a-z][a-z0-9-]{0,30}$';

function id(description: string): TString {
  return Type.String({ pattern: ID_PATTERN, description });
}

const BackendKind = Type.Union([Type.Literal('embedded'), Type.Literal('real')], {
  description:
    'embedded: SQLite and in-process queue/cache per cell, nothing to install. real: PostgreSQL, Kafka ' +
    'and Redis (twilio-lab infra start, docker compose, or DATABASE_URL / KAFKA_BROKERS / REDIS_URL).',
});

export const CellSchema = Type.Object(
  {
    id: id("The cell's id within its region, e.g. 'cell-1'."),
    capacity: Type.Integer({
      minimum: 1,
      default: 1,
      description:
        'Relative weight for hash placement: a cell of capacity 2 gets twice the accounts of one of 1.',
    }),
  },
  strict,
);

export const RegionSchema = Type.Object(
  {
    id: id("The region's id, e.g. 'us1' or 'eu1'."),
    backends: Type.Union([Type.Literal('embedded'), Type.Literal('real')], {
      default: 'embedded',
      description: BackendKind.description,
    }),
    cells: Type.Array(CellSchema, { minItems: 1, description: "The region's cells; each is a process." }),
  },
  strict,
);

export const LinkSchema = Type.Object(
  {
    oneWayMs: Type.Number({ minimum: 0, description: 'One-way latency in milliseconds.' }),
    jitterMs: Type.Optional(
      Type.Number({ minimum: 0, description: 'Jitter in milliseconds (±). Default 0.' }),
    ),
  },
  strict,
);

export const PlacementSchema = Type.Object(
  {
    policy: Type.Union([Type.Literal('region'), Type.Literal('hash')], {
      default: 'region',
      description:
        "region: the account's region (defaultRegion until accounts carry one), then rendezvous hashing " +
        "over that region's cells weighted by capacity. hash: rendezvous hashing over every cell.",
    }),
    defaultRegion: Type.Optional(
      id('Region of accounts with no region of their own. Default: the first region.'),
    ),
    explicit: Type.Optional(
      Type.Record(Type.String({ pattern: ACCOUNT_SID_PATTERN }), Type.String({ pattern: CELL_REF_PATTERN }), {
        additionalProperties: false,
        description:
          'Account SID → "<region>/<cell>"; wins over the policy (and over the parent, for a subaccount).',
      }),
    ),
  },
  strict,
);

export const PortsSchema = Type.Object(
  {
    gateway: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 3000,
      description: "The gateway's port (0 picks a free one); `up --port` overrides it.",
    }),
    cellBase: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 0,
      description:
        'First internal port of the cells (each cell takes the next one, in file order); 0 picks free ports at `up`. A cell keeps its port across restarts.',
    }),
  },
  strict,
);

export const TopologySchema = Type.Object(
  {
    version: Type.Literal(1, { description: 'Format version.' }),
    name: Type.String({ minLength: 1, description: "The topology's name, shown by status." }),
    description: Type.Optional(Type.String()),
    profile: Type.Union([Type.Literal('lab'), Type.Literal('realistic')], {
      default: 'lab',
      description: 'Sender throughput profile of every cell.',
    }),
    namespace: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,30}$',
      default: 'lab',
      description: 'Prefix of the PostgreSQL schemas, Kafka topics and Redis keys when backends are real.',
    }),
    global: Type.Object(
      {
        backends: Type.Union([Type.Literal('embedded'), Type.Literal('real')], {
          default: 'embedded',
          description:
            'Store of the global tier (identity, account placement): SQLite file, or PostgreSQL schema <ns>_global.',
        }),
      },
      { ...strict, default: {} },
    ),
    ports: Type.Object(PortsSchema.properties, { ...strict, default: {} }),
    regions: Type.Array(RegionSchema, { minItems: 1 }),
    placement: Type.Object(PlacementSchema.properties, { ...strict, default: {} }),
    latency: Type.Optional(
      Type.Record(
        Type.String({ pattern: ID_PATTERN }),
        Type.Record(Type.String({ pattern: ID_PATTERN }), LinkSchema, { additionalProperties: false }),
        {
          additionalProperties: false,
          description:
            'Region → region → link. A link given one way only holds both ways. Parsed and validated today; ' +
            'applied (through Toxiproxy) with the chaos work.',
        },
      ),
    ),
  },
  { ...strict, $id: 'twilio-lab/topology.schema.json', title: 'twilio-lab topology' },
);

export type TopologyFile = Static<typeof TopologySchema>;
export type RegionSpec = Static<typeof RegionSchema>;
export type CellSpec = Static<typeof CellSchema>;
export type LinkSpec = Static<typeof LinkSchema>;
export type BackendKindName = 'embedded' | 'real';

/** The JSON Schema published as topologies/schema.json. */
export function topologyJsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...JSON.parse(JSON.stringify(TopologySchema)),
  };
}

export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
