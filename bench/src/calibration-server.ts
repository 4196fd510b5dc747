#!/usr/bin/env node
/**
 * The calibration target: a raw uWebSockets.js server (loaded the way the gateway loads it) that
 * reads a POST body and answers 201 with a small JSON echo. The lab's throughput is reported as a
 * ratio against this, measured on the same machine in the same run. Prints `{"port":N}` once it
 * listens; exits on SIGTERM/SIGINT.
 */

interface UwsResponse {
  onAborted(handler: () => void): UwsResponse;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): UwsResponse;
  cork(cb: () => void): UwsResponse;
  writeStatus(status: string): UwsResponse;
  writeHeader(key: string, value: string): UwsResponse;
  end(body?: string): UwsResponse;
}
interface UwsApp {
  post(pattern: string, handler: (res: UwsResponse) => void): UwsApp;
  any(pattern: string, handler: (res: UwsResponse) => void): UwsApp;
  listen(host: string, port: number, cb: (token: unknown) => void): UwsApp;
}
interface UwsModule {
  App(): UwsApp;
  us_socket_local_port(token: unknown): number;
  us_listen_socket_close(token: unknown): void;
}

async function loadUws(): Promise<UwsModule> {
  // Held in variables so TypeScript does not try to resolve an optional package at build time.
  for (const specifier of ['uWebSockets.js', '@trufflesuite/uws-js-unofficial']) {
    try {
      const ns = (await import(specifier)) as { default?: unknown };
      const mod = (ns.default ?? ns) as Partial<UwsModule>;
      if (typeof mod.App === 'function') return mod as UwsModule;
    } catch {
      // try the next build
    }
  }
  throw new Error('neither uWebSockets.js nor @trufflesuite/uws-js-unofficial could be loaded');
}

const uws = await loadUws();
const SID = 'SM' + '0'.repeat(32);

const app = uws
  .App()
  .post('/*', (res) => {
    let aborted = false;
    let length = 0;
    res.onAborted(() => {
      aborted = true;
    });
    res.onData((chunk, isLast) => {
      length += chunk.byteLength;
      if (!isLast || aborted) return;
      res.cork(() => {
        res
          .writeStatus('201 Created')
          .writeHeader('Content-Type', 'application/json')
          .end(`{"sid":"${SID}","status":"queued","body_bytes":${length}}`);
      });
    });
  })
  .any('/*', (res) => {
    res.cork(() => {
      res.writeStatus('404 Not Found').end();
    });
  });

app.listen('127.0.0.1', 0, (token) => {
  if (!token) {
    console.error('calibration server: listen failed');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ port: uws.us_socket_local_port(token) }) + '\n');
  const stop = (): void => {
    uws.us_listen_socket_close(token);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
