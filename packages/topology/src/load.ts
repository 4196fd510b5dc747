import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError, validate } from '@twilio-lab/core';
import type { ConfigIssue } from '@twilio-lab/core';
import { TopologyError } from './errors.js';
import { TopologySchema } from './schema.js';
import type { BackendKindName, LinkSpec, TopologyFile } from './schema.js';

/** A cell as the rest of the package sees it: globally unique id `<region>-<cell>`. */
export interface CellModel {
  /** `<region>-<cell>`, e.g. 'us1-cell-2': names the process, its logs and its namespace. */
  cellId: string;
  region: string;
  /** The cell's id within its region, as written in the file. */
  name: string;
  capacity: number;
  backends: BackendKindName;
}

export interface RegionModel {
  id: string;
  backends: BackendKindName;
  cells: CellModel[];
}

/** One direction of a region-to-region link. */
export interface Link {
  oneWayMs: number;
  jitterMs: number;
}

/** The validated topology, normalised: defaults filled, cells flattened, links both ways. */
export interface Topology {
  name: string;
  description: string | undefined;
  profile: 'lab' | 'realistic';
  namespace: string;
  globalBackends: BackendKindName;
  ports: { gateway: number; cellBase: number };
  regions: RegionModel[];
  /** Every cell, in file order. */
  cells: CellModel[];
  placement: {
    policy: 'region' | 'hash';
    defaultRegion: string;
    /** Account SID → cellId. */
    explicit: ReadonlyMap<string, string>;
  };
  /** `from` → `to` → link; symmetric when the file gave one direction only. Not applied yet. */
  latency: ReadonlyMap<string, ReadonlyMap<string, Link>>;
  /** Where the topology came from (file path or 'value'). */
  source: string;
  /** The validated file with its defaults filled: what the supervisor hands its processes. */
  file: TopologyFile;
}

/** Reads, parses and validates a topology file; throws ConfigError listing every problem with its path. */
export async function loadTopologyFile(path: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TopologyError(
      'TOPOLOGY_FILE_UNREADABLE',
      `Cannot read topology file ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return parseTopology(text, path);
}

/** Parses YAML (or JSON) text; `source` names it in error messages. */
export function parseTopology(text: string, source = 'topology'): Topology {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0] ?? e.message}` })),
    );
  }
  return validateTopology(doc.toJS() as unknown, source);
}

/** Validates a topology given as data. */
export function validateTopology(value: unknown, source = 'topology'): Topology {
  const result = validate(TopologySchema, value);
  if (!result.ok) throw new ConfigError(source, result.errors);
  const file = result.value;
  const issues = semanticIssues(file);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return normalise(file, source);
}

/** Rules the JSON Schema cannot express: unique ids and references to known regions and cells. */
function semanticIssues(file: TopologyFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const regionIndex = new Map<string, number>();
  const cellsByRegion = new Map<string, Set<string>>();
  let cellCount = 0;
  file.regions.forEach((region, r) => {
    const same = regionIndex.get(region.id);
    if (same !== undefined) {
      issues.push({ path: `/regions/${r}/id`, message: `duplicates /regions/${same}/id ('${region.id}')` });
      return;
    }
    regionIndex.set(region.id, r);
    const cellIndex = new Map<string, number>();
    region.cells.forEach((cell, c) => {
      cellCount++;
      const sameCell = cellIndex.get(cell.id);
      if (sameCell !== undefined) {
        issues.push({
          path: `/regions/${r}/cells/${c}/id`,
          message: `duplicates /regions/${r}/cells/${sameCell}/id ('${cell.id}')`,
        });
      } else cellIndex.set(cell.id, c);
    });
    cellsByRegion.set(region.id, new Set(cellIndex.keys()));
  });

  const placement = file.placement;
  if (placement.defaultRegion !== undefined && !regionIndex.has(placement.defaultRegion)) {
    issues.push({ path: '/placement/defaultRegion', message: `unknown region '${placement.defaultRegion}'` });
  }
  for (const [sid, ref] of Object.entries(placement.explicit ?? {})) {
    const [region = '', cell = ''] = ref.split('/');
    const cells = cellsByRegion.get(region);
    if (cells === undefined) {
      issues.push({ path: `/placement/explicit/${sid}`, message: `unknown region '${region}' in '${ref}'` });
    } else if (!cells.has(cell)) {
      issues.push({
        path: `/placement/explicit/${sid}`,
        message: `region '${region}' has no cell '${cell}'`,
      });
    }
  }

  for (const [from, links] of Object.entries(file.latency ?? {})) {
    if (!regionIndex.has(from))
      issues.push({ path: `/latency/${from}`, message: `unknown region '${from}'` });
    for (const to of Object.keys(links)) {
      if (!regionIndex.has(to)) {
        issues.push({ path: `/latency/${from}/${to}`, message: `unknown region '${to}'` });
      } else if (to === from) {
        issues.push({ path: `/latency/${from}/${to}`, message: 'a region has no link to itself' });
      }
    }
  }

  const { gateway, cellBase } = file.ports;
  if (cellBase > 0) {
    const last = cellBase + cellCount - 1;
    if (last > 65535) {
      issues.push({
        path: '/ports/cellBase',
        message: `${cellCount} cells from ${cellBase} run past port 65535`,
      });
    } else if (gateway >= cellBase && gateway <= last) {
      issues.push({
        path: '/ports/gateway',
        message: `${gateway} is inside the cells' ports ${cellBase}–${last}`,
      });
    }
  }
  return issues;
}

function normalise(file: TopologyFile, source: string): Topology {
  const regions: RegionModel[] = file.regions.map((r) => ({
    id: r.id,
    backends: r.backends,
    cells: r.cells.map((c) => ({
      cellId: `${r.id}-${c.id}`,
      region: r.id,
      name: c.id,
      capacity: c.capacity,
      backends: r.backends,
    })),
  }));
  const explicit = new Map<string, string>();
  for (const [sid, ref] of Object.entries(file.placement.explicit ?? {}))
    explicit.set(sid, ref.replace('/', '-'));

  const latency = new Map<string, Map<string, Link>>();
  const link = (from: string, to: string, spec: LinkSpec, explicitDirection: boolean): void => {
    let row = latency.get(from);
    if (row === undefined) latency.set(from, (row = new Map()));
    if (explicitDirection || !row.has(to))
      row.set(to, { oneWayMs: spec.oneWayMs, jitterMs: spec.jitterMs ?? 0 });
  };
  for (const [from, links] of Object.entries(file.latency ?? {})) {
    for (const [to, spec] of Object.entries(links)) link(from, to, spec, true);
  }
  for (const [from, links] of Object.entries(file.latency ?? {})) {
    for (const [to, spec] of Object.entries(links)) link(to, from, spec, false);
  }

  const firstRegion = regions[0]?.id ?? '';
  return {
    name: file.name,
    description: file.description,
    profile: file.profile,
    namespace: file.namespace,
    globalBackends: file.global.backends,
    ports: { gateway: file.ports.gateway, cellBase: file.ports.cellBase },
    regions,
    cells: regions.flatMap((r) => r.cells),
    placement: {
      policy: file.placement.policy,
      defaultRegion: file.placement.defaultRegion ?? firstRegion,
      explicit,
    },
    latency,
    source,
    file,
  };
}
