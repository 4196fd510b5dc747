import { Pool } from 'undici';
import { errorResponse, twilioError } from '@twilio-lab/core';
import type { CellHandler, CellRequest, CellResponse } from '@twilio-lab/core';
import type { LabControlRequest } from '@twilio-lab/gateway';

/** Internal paths of a cell process (see cell-server.ts). */
export const CELL_PATHS = { cell: '/cell', lab: '/lab', health: '/healthz' } as const;

export interface RemoteCellOptions {
  /** Most keep-alive connections to the cell. Default 64. */
  connections?: number;
  /** Budget for the cell's answer to one request. Default 30 s (a cell answers after its durable write). */
  requestTimeoutMs?: number;
  /** Budget for establishing a connection. Default 2 s (loopback: a slow connect means trouble). */
  connectTimeoutMs?: number;
  /** Told about every failed hop (the gateway process logs them). */
  onError?: (cellId: string, err: unknown) => void;
}

/**
 * A cell in another process, behind the same CellHandler the gateway calls in embedded mode:
 * the CellRequest travels as JSON over HTTP keep-alive and the CellResponse comes back as
 * JSON. A cell that cannot be reached (refused, reset, timed out, answering garbage) becomes a
 * 503 / 20503 answer rather than a rejection, so the gateway never turns a dead cell into a
 * 500 and only that cell's accounts see errors.
 */
export class RemoteCell implements CellHandler {
  private readonly pool: Pool;
  private readonly unavailable: CellResponse;
  private readonly onError: ((cellId: string, err: unknown) => void) | undefined;

  constructor(
    readonly cellId: string,
    readonly url: string,
    options: RemoteCellOptions = {},
  ) {
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.pool = new Pool(url, {
      connections: options.connections ?? 64,
      pipelining: 1,
      connect: { timeout: options.connectTimeoutMs ?? 2_000 },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
    });
    this.unavailable = errorResponse(
      twilioError(20503, `Cell ${cellId} is unavailable`, { headers: { 'Retry-After': '1' } }),
    );
    this.onError = options.onError;
  }

  handle(req: CellRequest): Promise<CellResponse> {
    return this.post(CELL_PATHS.cell, JSON.stringify(req));
  }

  /** The cell's own lab control API (createLabControl). */
  control(req: LabControlRequest): Promise<CellResponse> {
    return this.post(CELL_PATHS.lab, JSON.stringify(req));
  }

  /** True when the cell answers its health check with 200. */
  async healthy(): Promise<boolean> {
    try {
      const { statusCode, body } = await this.pool.request({ path: CELL_PATHS.health, method: 'GET' });
      await body.dump();
      return statusCode === 200;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async post(path: string, payload: string): Promise<CellResponse> {
    try {
      const { statusCode, body } = await this.pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      const text = await body.text();
      if (statusCode !== 200) throw new Error(`cell answered HTTP ${statusCode}: ${text.slice(0, 200)}`);
      const response = JSON.parse(text) as CellResponse;
      if (typeof response.status !== 'number' || typeof response.body !== 'string') {
        throw new Error('cell answered something that is not a CellResponse');
      }
      return response;
    } catch (err) {
      // Whatever went wrong on the hop (refused, reset mid-answer, timeout, garbage), the request's
      // fate is the cell's: retryable for the client, and confined to this cell's accounts.
      this.onError?.(this.cellId, err);
      return this.unavailable;
    }
  }
}
