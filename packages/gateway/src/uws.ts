import { GatewayError } from './errors.js';

/**
 * The slice of the uWebSockets.js API the gateway uses, typed here so that either build
 * (the official `uWebSockets.js` or the `@trufflesuite/uws-js-unofficial` fork) fits.
 */

export interface UwsHttpRequest {
  getMethod(): string;
  getUrl(): string;
  getQuery(): string | undefined;
  getHeader(lowerCaseName: string): string;
}

export interface UwsHttpResponse {
  onAborted(handler: () => void): UwsHttpResponse;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): UwsHttpResponse;
  cork(cb: () => void): UwsHttpResponse;
  writeStatus(status: string): UwsHttpResponse;
  writeHeader(name: string, value: string): UwsHttpResponse;
  end(body?: string, closeConnection?: boolean): UwsHttpResponse;
  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): UwsHttpResponse;
}

/** Opaque native listen socket. */
export type UwsListenSocket = object;

export interface UwsApp {
  any(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): UwsApp;
  listen(host: string, port: number, cb: (listenSocket: UwsListenSocket | false) => void): UwsApp;
  /** Closes every socket (recent builds only). */
  close?(): void;
}

export interface UwsModule {
  App(): UwsApp;
  us_listen_socket_close(listenSocket: UwsListenSocket): void;
  us_socket_local_port(listenSocket: UwsListenSocket): number;
}

// Held in variables so TypeScript does not try to resolve an optional package at build time.
const OFFICIAL_BUILD = 'uWebSockets.js';
const BUNDLED_BUILD = '@trufflesuite/uws-js-unofficial';

let loading: Promise<UwsModule> | undefined;

function asUwsModule(namespace: unknown): UwsModule | undefined {
  // Both builds are CommonJS: a dynamic import hands back module.exports as `default`.
  const candidate = (namespace as { default?: unknown }).default ?? namespace;
  return typeof (candidate as Partial<UwsModule>).App === 'function' ? (candidate as UwsModule) : undefined;
}

async function importBuild(specifier: string): Promise<UwsModule | undefined> {
  try {
    return asUwsModule(await import(specifier));
  } catch {
    return undefined;
  }
}

/**
 * The official build when the user installed one that loads on this machine (its binaries
 * need glibc 2.38), else the bundled fork. Loaded once per process.
 */
export function loadUws(): Promise<UwsModule> {
  loading ??= (async () => {
    const uws = (await importBuild(OFFICIAL_BUILD)) ?? (await importBuild(BUNDLED_BUILD));
    if (uws === undefined) {
      throw new GatewayError(
        'GATEWAY_UWS_UNAVAILABLE',
        `neither ${OFFICIAL_BUILD} nor ${BUNDLED_BUILD} could be loaded`,
      );
    }
    return uws;
  })();
  return loading;
}
