import { FormParams, errorResponse, jsonResponse, twilioError } from '@twilio-lab/core';
import type { CellResponse } from '@twilio-lab/core';
import type { LabControl, LabControlRequest } from '@twilio-lab/gateway';
import type { CellDirectory } from './placement.js';

/** A cell as the fan-out sees it: where it runs and how to reach its lab control API. */
export interface ControlledCell {
  cellId: string;
  region: string;
  control(req: LabControlRequest): Promise<CellResponse>;
}

export interface TopologyControlOptions {
  topologyName: string;
  cells: readonly ControlledCell[];
  directory: CellDirectory;
  /** Which account owns a number (identity's number directory). */
  numberOwner(e164: string): Promise<string | undefined>;
  startedAt: number;
}

interface CellAnswer {
  cell: ControlledCell;
  response: CellResponse;
  json: Record<string, unknown> | undefined;
}

const NO_CELL_ANSWERED = errorResponse(twilioError(20503, 'No cell answered'));

/**
 * The lab control API (`/lab/v1/…`) in topology mode, served by the gateway process. Every cell
 * serves the embedded lab's control API on its internal port; this fans requests out to them:
 *   Status              one entry per cell (up or unavailable) plus totals;
 *   Handsets/{n}/Messages GET   the cells' answers merged by time (each cell has its own carriers);
 *   Handsets/{n}/Messages POST  the cell that hosts the account owning the destination number
 *                                (the first cell when no account owns it);
 *   DeadLetters, Carriers       the cells' lists concatenated, each entry tagged with its cell_id.
 * A cell that does not answer is listed under `unavailable_cells` rather than failing the call.
 */
export function createTopologyLabControl(o: TopologyControlOptions): LabControl {
  async function fanOut(req: LabControlRequest): Promise<CellAnswer[]> {
    return Promise.all(
      o.cells.map(async (cell) => {
        const response = await cell.control(req);
        let json: Record<string, unknown> | undefined;
        if (response.status === 200 && response.body !== '') {
          try {
            json = JSON.parse(response.body) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
        }
        return { cell, response, json };
      }),
    );
  }

  /** Merges the 200 answers' `key` arrays; with none, the first error that is not "unavailable". */
  function mergeLists(
    answers: CellAnswer[],
    key: string,
    tag: boolean,
    order?: (a: Record<string, unknown>, b: Record<string, unknown>) => number,
    limit?: number,
  ): CellResponse {
    const ok = answers.filter((a) => a.json !== undefined);
    if (ok.length === 0) {
      return (
        answers.find((a) => a.response.status !== 503)?.response ?? answers[0]?.response ?? NO_CELL_ANSWERED
      );
    }
    let items: Record<string, unknown>[] = [];
    for (const a of ok) {
      const list = a.json?.[key];
      if (!Array.isArray(list)) continue;
      for (const item of list as Record<string, unknown>[])
        items.push(tag ? { ...item, cell_id: a.cell.cellId } : item);
    }
    if (order !== undefined) items.sort(order);
    if (limit !== undefined && items.length > limit) items = items.slice(items.length - limit);
    const unavailable = answers.filter((a) => a.json === undefined).map((a) => a.cell.cellId);
    return jsonResponse(200, {
      [key]: items,
      ...(unavailable.length > 0 ? { unavailable_cells: unavailable } : {}),
    });
  }

  async function status(req: LabControlRequest): Promise<CellResponse> {
    const [answers, counts] = await Promise.all([
      fanOut(req),
      o.directory.accountCounts().catch(() => new Map<string, number>()),
    ]);
    const messages: Record<string, number> = {};
    const webhooks = { pending: 0, dead_letters: 0 };
    let queueLag = 0;
    const cells = answers.map(({ cell, json }) => {
      const accounts = counts.get(cell.cellId) ?? 0;
      if (json === undefined)
        return { cell_id: cell.cellId, region: cell.region, status: 'unavailable', accounts };
      for (const [name, n] of Object.entries((json.messages ?? {}) as Record<string, number>)) {
        messages[name] = (messages[name] ?? 0) + n;
      }
      const hooks = (json.webhooks ?? {}) as { pending?: number; dead_letters?: number };
      webhooks.pending += hooks.pending ?? 0;
      webhooks.dead_letters += hooks.dead_letters ?? 0;
      queueLag += typeof json.queue_lag === 'number' ? json.queue_lag : 0;
      return {
        cell_id: cell.cellId,
        region: cell.region,
        status: 'up',
        accounts,
        pid: json.pid,
        uptime_s: json.uptime_s,
        rss_bytes: json.rss_bytes,
        messages: json.messages,
        webhooks: json.webhooks,
        queue_lag: json.queue_lag,
      };
    });
    return jsonResponse(200, {
      pid: process.pid,
      uptime_s: Math.round((Date.now() - o.startedAt) / 1000),
      rss_bytes: process.memoryUsage.rss(),
      topology: o.topologyName,
      cells,
      accounts: [...counts.values()].reduce((a, b) => a + b, 0),
      messages,
      webhooks,
      queue_lag: queueLag,
    });
  }

  async function handsetSend(req: LabControlRequest): Promise<CellResponse> {
    const to = req.contentType.startsWith('application/x-www-form-urlencoded')
      ? FormParams.parse(req.body).get('To')
      : undefined;
    let target = o.cells[0];
    if (to !== undefined && to !== '') {
      const owner = await o.numberOwner(to);
      if (owner !== undefined) {
        const cellId = await o.directory.cellOf(owner);
        target = o.cells.find((c) => c.cellId === cellId) ?? target;
      }
    }
    return target === undefined ? NO_CELL_ANSWERED : target.control(req);
  }

  const byDateMs = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
    Number(a.date_ms ?? 0) - Number(b.date_ms ?? 0);

  return {
    async handle(req) {
      const segments = req.path.split('/').filter((s) => s !== '');
      const [version, resource, , sub] = segments;
      if (version === 'v1' && req.method === 'GET' && segments.length === 2) {
        if (resource === 'Status') return status(req);
        if (resource === 'DeadLetters') return mergeLists(await fanOut(req), 'dead_letters', true);
        if (resource === 'Carriers') return mergeLists(await fanOut(req), 'carriers', true);
      }
      if (version === 'v1' && resource === 'Handsets' && sub === 'Messages' && segments.length === 4) {
        if (req.method === 'POST') return handsetSend(req);
        if (req.method === 'GET') {
          const limitParam = FormParams.parse(req.query).get('Limit');
          const limit = limitParam === undefined ? undefined : Number(limitParam);
          return mergeLists(
            await fanOut(req),
            'messages',
            false,
            byDateMs,
            limit !== undefined && Number.isFinite(limit) ? limit : undefined,
          );
        }
      }
      // Anything else (errors included) is answered by one cell, exactly as the embedded lab would.
      const first = o.cells[0];
      return first === undefined ? NO_CELL_ANSWERED : first.control(req);
    },
  };
}
