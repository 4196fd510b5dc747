#!/usr/bin/env node
/**
 * The calibration target: a raw uWebSockets.js server (loaded the way the gateway loads it) that
 * reads a POST body and answers 201 with a small JSON echo. The lab's throughput is reported as a
 * ratio against this, measured on the same machine in the same run. Prints `{"port":N}` once it
 * listens; exits on SIGTERM/SIGINT.
 */

import { loadUws } from '@twilio-lab/gateway';

const uws = await loadUws();
const SID = 'SM' + '0'.repeat(32);

const app = uws.App().any('/*', (res, req) => {
  if (req.getMethod() !== 'post') {
    res.cork(() => {
      res.writeStatus('404 Not Found').end();
    });
    return;
  }
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
