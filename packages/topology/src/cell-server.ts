import { loadUws } from '@twilio-lab/gateway';
import type { LabControl, LabControlRequest, UwsModule } from '@twilio-lab/gateway';
import type { CellHandler, CellRequest, CellResponse } from '@twilio-lab/core';
import { CELL_PATHS } from './remote-cell.js';

/**
 * The internal HTTP face of a cell process, on loopback only:
 *   POST /cell    JSON CellRequest        → 200 JSON CellResponse (the cell's answer, whatever its status)
 *   POST /lab     JSON LabControlRequest  → 200 JSON CellResponse (the cell's lab control API)
 *   GET  /healthz                         → 200 {"status":"ok"} | 503 {"status":"draining"}
 * Anything else is 404; a body that is not the expected JSON is 400. The HTTP status is the
 * transport's: the cell's own status travels inside the envelope, so a 503 from the cell is
 * told apart from a cell that is not there.
 */
export interface CellServerOptions {
  cell: CellHandler;
  labControl: LabControl;
  host: string;
  port: number;
  /** Largest body accepted on /cell. Default 2 MiB (the gateway already enforces the API's limit). */
  bodyLimitBytes?: number;
}

export interface CellServer {
  readonly port: number;
  /** Health turns 503; requests already queued are still answered. */
  drain(): void;
  /** Stops listening and closes every connection. */
  close(): void;
}

/** uWS types of what this server uses (the gateway's UwsModule declares them). */
type App = ReturnType<UwsModule['App']>;
type Res = Parameters<Parameters<App['any']>[1]>[0];

const HEALTHY = '{"status":"ok"}';
const DRAINING = '{"status":"draining"}';

export async function startCellServer(options: CellServerOptions): Promise<CellServer> {
  const uws = await loadUws();
  const app = uws.App();
  const limit = options.bodyLimitBytes ?? 2 * 1024 * 1024;
  let draining = false;

  const send = (res: Res, state: { aborted: boolean }, status: string, body: string): void => {
    if (state.aborted) return;
    res.cork(() => {
      res.writeStatus(status).writeHeader('Content-Type', 'application/json').end(body);
    });
  };

  const readJson = (
    res: Res,
    state: { aborted: boolean },
    use: (value: unknown) => Promise<CellResponse>,
  ): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      size += chunk.byteLength;
      if (size > limit) {
        if (size - chunk.byteLength <= limit)
          send(res, state, '413 Payload Too Large', '{"error":"body too large"}');
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(res, state, '400 Bad Request', '{"error":"body is not JSON"}');
        return;
      }
      use(value).then(
        (response) => send(res, state, '200 OK', JSON.stringify(response)),
        (err: unknown) =>
          send(
            res,
            state,
            '500 Internal Server Error',
            JSON.stringify({ error: (err as Error).message ?? String(err) }),
          ),
      );
    });
  };

  app.any('/*', (res, req) => {
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    if (method === 'GET' && url === CELL_PATHS.health) {
      send(res, state, draining ? '503 Service Unavailable' : '200 OK', draining ? DRAINING : HEALTHY);
    } else if (method === 'POST' && url === CELL_PATHS.cell) {
      readJson(res, state, (value) => options.cell.handle(value as CellRequest));
    } else if (method === 'POST' && url === CELL_PATHS.lab) {
      readJson(res, state, (value) => options.labControl.handle(value as LabControlRequest));
    } else {
      send(res, state, '404 Not Found', '{"error":"not found"}');
    }
  });

  const listenSocket = await new Promise<object>((resolve, reject) => {
    app.listen(options.host, options.port, (socket) => {
      if (socket === false) reject(new Error(`cannot listen on ${options.host}:${options.port}`));
      else resolve(socket);
    });
  });
  const port = uws.us_socket_local_port(listenSocket);
  let closed = false;
  return {
    port,
    drain() {
      draining = true;
    },
    close() {
      if (closed) return;
      closed = true;
      draining = true;
      uws.us_listen_socket_close(listenSocket);
      app.close?.();
    },
  };
}
