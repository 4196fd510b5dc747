/** Test support: a TCP echo server (the upstream of test proxies) and a one-shot echo round trip. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends `text` to host:port and resolves with the echo, or 'timeout' / 'closed' / 'refused'. */
export function echoRoundTrip(port: number, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let got = '';
    const finish = (value: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(got.length > 0 ? got : 'timeout'), timeoutMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('utf8');
      if (got.length >= text.length) finish(got);
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? 'refused' : 'closed'),
    );
    socket.on('close', () => finish(got.length > 0 ? got : 'closed'));
  });
}
