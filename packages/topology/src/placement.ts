import type { Cache, Migration, Store } from '@twilio-lab/backends';
import type { Account } from '@twilio-lab/identity';
import { TopologyError } from './errors.js';
import type { CellModel, Topology } from './load.js';
import { rendezvous } from './rendezvous.js';

/** Which cell hosts an account; places an unknown account by policy on first use. */
export interface CellDirectory {
  /** The account's cell id, placing the account (and persisting the choice) when it has none yet. */
  cellOf(accountSid: string): Promise<string>;
  /** The cell already known for the account, without any I/O (the gateway's hot path). */
  cached(accountSid: string): string | undefined;
  /** Records `cellId` for the account unless it already has one; resolves with the cell it has. */
  place(accountSid: string, cellId: string): Promise<string>;
  /** How many accounts each cell hosts (cells without accounts are absent). */
  accountCounts(): Promise<Map<string, number>>;
}

export const PLACEMENT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'topology-001-account-cells',
    sql: `CREATE TABLE IF NOT EXISTS account_cells (
  account_sid TEXT PRIMARY KEY,
  cell_id TEXT NOT NULL,
  date_created INTEGER NOT NULL
)`,
  },
];

export interface CellDirectoryOptions {
  topology: Pick<Topology, 'cells' | 'regions' | 'placement'>;
  /** The global store: assignments live in its `account_cells` table (stable across restarts). */
  store: Store;
  /** Looks an account up (the gateway's identity): subaccounts are placed in their parent's cell. */
  getAccount(sid: string): Promise<Account | undefined>;
  /** The account's region; accounts carry none today, so the default is placement.defaultRegion. */
  regionOf?: (account: Account | undefined, accountSid: string) => string | undefined;
  /** A shared cache in front of the table (Redis when the global tier is real). */
  cache?: Cache;
  /** Time a shared-cache entry lives. Default one hour (entries never change until `cells move`). */
  cacheTtlMs?: number;
  now?: () => number;
}

const CACHE_PREFIX = 'account-cell:';

/** Opens the directory on the global store (applies its migration). */
export async function createCellDirectory(options: CellDirectoryOptions): Promise<CellDirectory> {
  await options.store.migrate(PLACEMENT_MIGRATIONS);
  return new StoreCellDirectory(options);
}

class StoreCellDirectory implements CellDirectory {
  private readonly local = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly known: ReadonlySet<string>;
  private readonly allCells: { id: string; weight: number }[];
  private readonly cellsByRegion: Map<string, { id: string; weight: number }[]>;
  private readonly now: () => number;

  constructor(private readonly o: CellDirectoryOptions) {
    this.known = new Set(o.topology.cells.map((c) => c.cellId));
    const weighted = (cells: readonly CellModel[]): { id: string; weight: number }[] =>
      cells.map((c) => ({ id: c.cellId, weight: c.capacity }));
    this.allCells = weighted(o.topology.cells);
    this.cellsByRegion = new Map(o.topology.regions.map((r) => [r.id, weighted(r.cells)]));
    this.now = o.now ?? Date.now;
  }

  cached(accountSid: string): string | undefined {
    // Explicit accounts too go through cellOf() once, which records them (status counts them).
    return this.local.get(accountSid);
  }

  cellOf(accountSid: string): Promise<string> {
    const hit = this.local.get(accountSid);
    if (hit !== undefined) return Promise.resolve(hit);
    const explicit = this.o.topology.placement.explicit.get(accountSid);
    if (explicit !== undefined) return this.recordExplicit(accountSid, explicit);
    let pending = this.inFlight.get(accountSid);
    if (pending === undefined) {
      pending = this.lookUpOrPlace(accountSid).finally(() => this.inFlight.delete(accountSid));
      this.inFlight.set(accountSid, pending);
    }
    return pending;
  }

  async place(accountSid: string, cellId: string): Promise<string> {
    if (!this.known.has(cellId)) {
      throw new TopologyError('TOPOLOGY_UNKNOWN_CELL', `No cell '${cellId}' in this topology`);
    }
    await this.o.store.write([
      {
        sql: 'INSERT INTO account_cells (account_sid, cell_id, date_created) VALUES (?, ?, ?) ON CONFLICT (account_sid) DO NOTHING',
        params: [accountSid, cellId, this.now()],
      },
    ]);
    // Another gateway may have placed it first: the row that exists is the answer.
    const stored = await this.stored(accountSid);
    const winner = stored ?? cellId;
    this.remember(accountSid, winner);
    return winner;
  }

  /** The file is authoritative for explicit accounts; the table follows it so counts include them. */
  private async recordExplicit(accountSid: string, cellId: string): Promise<string> {
    await this.o.store.write([
      {
        sql: `INSERT INTO account_cells (account_sid, cell_id, date_created) VALUES (?, ?, ?)
ON CONFLICT (account_sid) DO UPDATE SET cell_id = excluded.cell_id`,
        params: [accountSid, cellId, this.now()],
      },
    ]);
    this.remember(accountSid, cellId);
    return cellId;
  }

  async accountCounts(): Promise<Map<string, number>> {
    const rows = await this.o.store.all<{ cell_id: string; n: number | bigint }>(
      'SELECT cell_id, COUNT(*) AS n FROM account_cells GROUP BY cell_id',
    );
    return new Map(rows.map((r) => [r.cell_id, Number(r.n)]));
  }

  private async lookUpOrPlace(accountSid: string): Promise<string> {
    const cache = this.o.cache;
    if (cache !== undefined) {
      const shared = await cache.get(CACHE_PREFIX + accountSid).catch(() => undefined);
      if (shared !== undefined && this.known.has(shared)) {
        this.local.set(accountSid, shared);
        return shared;
      }
    }
    const stored = await this.stored(accountSid);
    if (stored !== undefined) {
      if (!this.known.has(stored)) {
        throw new TopologyError(
          'TOPOLOGY_UNKNOWN_CELL',
          `Account ${accountSid} is placed on cell '${stored}', which this topology does not have`,
        );
      }
      this.remember(accountSid, stored);
      return stored;
    }
    return this.place(accountSid, await this.choose(accountSid));
  }

  /** The parent's cell, then the policy (the explicit map was handled by cellOf()). */
  private async choose(accountSid: string): Promise<string> {
    const account = await this.o.getAccount(accountSid);
    if (account !== undefined && account.ownerAccountSid !== account.sid) {
      return this.cellOf(account.ownerAccountSid);
    }
    const placement = this.o.topology.placement;
    let candidates = this.allCells;
    if (placement.policy === 'region') {
      const region = this.o.regionOf?.(account, accountSid) ?? placement.defaultRegion;
      candidates = this.cellsByRegion.get(region) ?? this.cellsByRegion.get(placement.defaultRegion) ?? [];
    }
    const chosen = rendezvous(accountSid, candidates);
    if (chosen === undefined) {
      throw new TopologyError('TOPOLOGY_UNKNOWN_CELL', `No cell can host account ${accountSid}`);
    }
    return chosen;
  }

  private async stored(accountSid: string): Promise<string | undefined> {
    const row = await this.o.store.get<{ cell_id: string }>(
      'SELECT cell_id FROM account_cells WHERE account_sid = ?',
      [accountSid],
    );
    return row?.cell_id;
  }

  private remember(accountSid: string, cellId: string): void {
    this.local.set(accountSid, cellId);
    void this.o.cache
      ?.set(CACHE_PREFIX + accountSid, cellId, this.o.cacheTtlMs ?? 3_600_000)
      .catch(() => undefined);
  }
}
