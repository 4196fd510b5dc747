/**
 * Carrier configuration: one schema gives the TypeScript type and the validation, unknown keys
 * are rejected, and every problem is reported with its path (core's ConfigError).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, Type, validate } from '@twilio-lab/core';
import type { Static } from '@twilio-lab/core';

const LatencySchema = Type.Object(
  {
    median: Type.Number({ minimum: 0, description: 'Median latency in milliseconds.' }),
    p99: Type.Number({ minimum: 0, description: '99th percentile latency in milliseconds (>= median).' }),
  },
  { additionalProperties: false },
);

const DlrErr = Type.String({ pattern: '^[0-9]{3}$', description: 'Three-digit DLR err value.' });

const OutcomesSchema = Type.Object(
  {
    delivered: Type.Number({ minimum: 0, maximum: 1 }),
    undelivered: Type.Number({ minimum: 0, maximum: 1 }),
    failed: Type.Number({ minimum: 0, maximum: 1 }),
    /** Receipt stat for undelivered messages: UNDELIV (handset unreachable) or EXPIRED (validity ran out). */
    undeliveredStat: Type.Optional(Type.Union([Type.Literal('UNDELIV'), Type.Literal('EXPIRED')])),
    /** DLR err for undelivered: '001' unknown subscriber (→ 30005), anything else → 30003. Default '027'. */
    undeliveredErr: Type.Optional(DlrErr),
    /** DLR err for failed (stat REJECTD → 30007). Default '069'. */
    failedErr: Type.Optional(DlrErr),
  },
  { additionalProperties: false },
);

export const CarrierConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    region: Type.String({ minLength: 1 }),
    prefixes: Type.Array(Type.String({ pattern: '^\\+[0-9]{0,7}$' }), { minItems: 1 }),
    costPerSegment: Type.Number({ minimum: 0 }),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    /** SMPP system_id: at most 15 characters (16 octets with the terminator). */
    systemId: Type.String({ minLength: 1, maxLength: 15 }),
    /** SMPP password: at most 8 characters. */
    password: Type.String({ maxLength: 8 }),
    submitLatencyMs: LatencySchema,
    receiptLatencyMs: LatencySchema,
    outcomes: OutcomesSchema,
    maxTps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    window: Type.Optional(Type.Integer({ minimum: 1 })),
    seed: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export type CarrierConfig = Static<typeof CarrierConfigSchema>;
export type CarrierOutcomes = CarrierConfig['outcomes'];

const CarrierListSchema = Type.Array(CarrierConfigSchema);
const CarriersFileSchema = Type.Object({ carriers: CarrierListSchema }, { additionalProperties: false });

interface Issue {
  path: string;
  message: string;
}

/** Rules a JSON schema cannot say: probabilities sum to 1, p99 >= median, unique names and ports. */
function semanticIssues(carriers: readonly CarrierConfig[], base: string): Issue[] {
  const issues: Issue[] = [];
  const names = new Map<string, number>();
  const ports = new Map<number, number>();
  carriers.forEach((c, i) => {
    const at = `${base}/${i}`;
    issues.push(...outcomeIssues(c.outcomes, `${at}/outcomes`));
    for (const key of ['submitLatencyMs', 'receiptLatencyMs'] as const) {
      if (c[key].p99 < c[key].median) {
        issues.push({ path: `${at}/${key}/p99`, message: `must be >= median (${c[key].median})` });
      }
    }
    const sameName = names.get(c.name);
    if (sameName !== undefined)
      issues.push({ path: `${at}/name`, message: `duplicates ${base}/${sameName}/name` });
    else names.set(c.name, i);
    if (c.port) {
      const samePort = ports.get(c.port);
      if (samePort !== undefined)
        issues.push({ path: `${at}/port`, message: `duplicates ${base}/${samePort}/port` });
      else ports.set(c.port, i);
    }
  });
  return issues;
}

export function outcomeIssues(o: CarrierOutcomes, path: string): Issue[] {
  const sum = o.delivered + o.undelivered + o.failed;
  return Math.abs(sum - 1) > 1e-6
    ? [{ path, message: `probabilities must sum to 1 (they sum to ${sum})` }]
    : [];
}

/** Validates a list of carriers (as given in code); throws ConfigError listing every problem. */
export function validateCarriers(value: unknown, source = 'carriers'): CarrierConfig[] {
  const result = validate(CarrierListSchema, value);
  if (!result.ok) throw new ConfigError(source, result.errors);
  const issues = semanticIssues(result.value, '');
  if (issues.length > 0) throw new ConfigError(source, issues);
  return result.value;
}

/**
 * Reads carriers from a JSON or YAML file: either a list of carriers or `{ carriers: [...] }`.
 * YAML is a superset of JSON, so any extension other than .json is parsed as YAML.
 */
export async function loadCarriersFile(path: string): Promise<CarrierConfig[]> {
  const text = await readFile(path, 'utf8');
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: `cannot parse: ${(error as Error).message}` }]);
  }
  if (Array.isArray(data)) return validateCarriers(data, path);
  const result = validate(CarriersFileSchema, data);
  if (!result.ok) throw new ConfigError(path, result.errors);
  const issues = semanticIssues(result.value.carriers, '/carriers');
  if (issues.length > 0) throw new ConfigError(path, issues);
  return result.value.carriers;
}
