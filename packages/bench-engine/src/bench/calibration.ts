/**
 * The calibration run: the same generator against a raw uWebSockets.js server answering a
 * fixed 201, in the same job, on the same machine. Throughput divided by it compares across
 * machines and noisy neighbours (what `bench compare` normalises by).
 */
import { loadUws } from '@twilio-lab/gateway';
import type { UwsModule } from '@twilio-lab/gateway';

type ListenSocket = Parameters<UwsModule['us_listen_socket_close']>[0];
import { runPlan } from '../runtime/run-plan.js';

const BODY = '{"sid":"SM00000000000000000000000000000000","status":"queued"}';

export interface Calibration {
  requestsPerSecond: number;
  durationMs: number;
}

export async function calibrate(durationMs = 3_000, connections = 32): Promise<Calibration> {
  const uws = await loadUws();
  const app = uws.App();
  app.any('/*', (res) => {
    res.onAborted(() => undefined);
    res.cork(() => {
      res.writeStatus('201 Created').writeHeader('content-type', 'application/json').end(BODY);
    });
  });
  const { socket, port } = await new Promise<{ socket: ListenSocket; port: number }>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (token) => {
      if (token === false) reject(new Error('calibration server could not listen'));
      else resolve({ socket: token, port: uws.us_socket_local_port(token) });
    });
  });
  try {
    const result = await runPlan({
      target: { baseUrl: `http://127.0.0.1:${port}`, accountSid: 'AC0', authToken: '0' },
      scenarios: [
        {
          name: 'calibration',
          tags: {},
          startTimeMs: 0,
          gracefulStopMs: 1_000,
          executor: { type: 'max-throughput', connections, durationMs },
          flows: [{ flow: 'http', weight: 1, with: { method: 'POST', path: '/calibrate', body: 'x=1' } }],
        },
      ],
    });
    const figures = result.maxThroughput.calibration;
    return { requestsPerSecond: figures?.requestsPerSecond ?? 0, durationMs };
  } finally {
    uws.us_listen_socket_close(socket);
  }
}
