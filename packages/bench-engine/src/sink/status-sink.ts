/**
 * The bench's webhook sink: a uWebSockets.js server in the main thread that receives
 * StatusCallbacks, checks X-Twilio-Signature against the auth token of the account that sent
 * the message (its AccountSid field; a bad signature or an unknown account is counted and
 * answered 403), notes every status per MessageSid, and answers at once so the
 * system under test never waits on the bench. End-to-end latency (201 → awaited status) is
 * measured here, in one thread, from the 201 times the load threads report.
 */
import { FormParams, validateWebhookSignature } from '@twilio-lab/core';
import { loadUws } from '@twilio-lab/gateway';
import { METRICS } from '../metrics.js';
import { nowMs } from '../runtime/clock.js';
import { BenchRuntimeError } from '../runtime/errors.js';
import type { MetricsRecorder } from '../runtime/recorder.js';
import { MessageLedger, type Reconciliation } from './message-ledger.js';

export const SINK_INVALID_SIGNATURE = 'sink_invalid_signature';
export const SINK_CALLBACKS = 'sink_callbacks';

/** Minimal structural types of the uWS objects the sink touches. */
interface SinkRequest {
  getMethod(): string;
  getUrl(): string;
  getQuery(): string | undefined;
  getHeader(name: string): string;
}
interface SinkResponse {
  onAborted(handler: () => void): unknown;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): unknown;
  cork(cb: () => void): unknown;
  writeStatus(status: string): SinkResponse;
  end(body?: string): unknown;
}

export interface StatusSinkOptions {
  /** The token callbacks are signed with when the sink knows one account only (no `accounts`). */
  authToken: string;
  /**
   * Account SID → auth token, for runs over several accounts: a callback is checked against the
   * token of the account its `AccountSid` field names; an unknown (or missing) account fails
   * the check. When given, `authToken` is not used.
   */
  accounts?: Readonly<Record<string, string>>;
  /** Where the sink records sms_e2e_duration and its counters. */
  recorder: MetricsRecorder;
  host?: string;
  port?: number;
  /** Base URL the system under test calls (default http://host:port). */
  publicUrl?: string;
  /** Largest callback body accepted. */
  maxBodyBytes?: number;
}

export interface SettleListener {
  (status: string, ok: boolean): void;
}

export class StatusSink {
  private readonly ledger: MessageLedger;
  private listenSocket: object | undefined;
  private closeApp: (() => void) | undefined;
  private closeListen: ((socket: object) => void) | undefined;
  private base = '';
  private readonly invalid;
  private readonly callbacks;
  private readonly tokens: ReadonlyMap<string, string> | undefined;

  private constructor(private readonly options: StatusSinkOptions) {
    const recorder = options.recorder;
    const e2eHandles = new Map<string, ReturnType<MetricsRecorder['trend']>>();
    this.ledger = new MessageLedger((ms, expected) => {
      const key = JSON.stringify(expected.tags);
      let handle = e2eHandles.get(key);
      if (handle === undefined) {
        handle = recorder.trend(METRICS.smsEndToEndDuration, {
          ...expected.tags,
          status: expected.measuredStatus,
        });
        e2eHandles.set(key, handle);
      }
      handle.recordMs(ms);
    });
    this.tokens = options.accounts === undefined ? undefined : new Map(Object.entries(options.accounts));
    this.invalid = recorder.counter(SINK_INVALID_SIGNATURE, {});
    this.callbacks = recorder.counter(SINK_CALLBACKS, {});
  }

  static async start(options: StatusSinkOptions): Promise<StatusSink> {
    const sink = new StatusSink(options);
    await sink.listen();
    return sink;
  }

  /** The URL to give as StatusCallback. */
  get url(): string {
    return `${this.base}/status`;
  }

  private async listen(): Promise<void> {
    let uws;
    try {
      uws = await loadUws();
    } catch (err) {
      throw new BenchRuntimeError(
        'SINK_UNAVAILABLE',
        `the webhook sink needs uWebSockets.js: ${(err as Error).message}`,
      );
    }
    const app = uws.App();
    app.any('/*', (res, req) => this.handle(res as unknown as SinkResponse, req));
    const host = this.options.host ?? '127.0.0.1';
    const socket = await new Promise<object | false>((resolve) =>
      app.listen(host, this.options.port ?? 0, resolve),
    );
    if (socket === false)
      throw new BenchRuntimeError(
        'SINK_UNAVAILABLE',
        `the webhook sink could not listen on ${host}:${this.options.port ?? 0}`,
      );
    this.listenSocket = socket;
    this.closeListen = (s) => uws.us_listen_socket_close(s);
    this.closeApp = app.close?.bind(app);
    const port = uws.us_socket_local_port(socket);
    this.base = (
      this.options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    ).replace(/\/+$/, '');
  }

  private handle(res: SinkResponse, req: SinkRequest): void {
    // The request object is only valid during this call: read everything now.
    const method = req.getMethod().toUpperCase();
    const query = req.getQuery();
    const url = `${this.base}${req.getUrl()}${query ? `?${query}` : ''}`;
    const signature = req.getHeader('x-twilio-signature');
    const token = req.getHeader('i-twilio-idempotency-token') || undefined;
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const answer = (status: string): void => {
      if (!aborted) res.cork(() => res.writeStatus(status).end(''));
    };
    if (method !== 'POST') {
      answer('405 Method Not Allowed');
      return;
    }
    const limit = this.options.maxBodyBytes ?? 64 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (size <= limit) {
        size += chunk.byteLength;
        // uWS reuses the chunk's memory after this callback: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk)));
      }
      if (!isLast) return;
      if (size > limit) {
        answer('413 Payload Too Large');
        return;
      }
      answer(this.receive(url, signature, token, Buffer.concat(chunks).toString('utf8')));
    });
  }

  /** Handles one callback body; returns the HTTP status line to answer with. */
  private receive(url: string, signature: string, token: string | undefined, body: string): string {
    const atMs = nowMs();
    const form = FormParams.parse(body);
    const params: Record<string, string | string[]> = {};
    for (const name of form.names()) {
      const values = form.getAll(name);
      params[name] = values.length === 1 ? values[0]! : values;
    }
    const authToken = this.tokenFor(form.get('AccountSid'));
    if (
      signature === '' ||
      authToken === undefined ||
      !validateWebhookSignature(authToken, signature, url, params)
    ) {
      this.ledger.invalidSignatures++;
      this.invalid.add();
      return '403 Forbidden';
    }
    this.callbacks.add();
    const sid = form.get('MessageSid');
    const status = form.get('MessageStatus');
    if (sid !== undefined && status !== undefined) this.ledger.status(sid, status, atMs, token);
    return '200 OK';
  }

  /** The token a callback from `accountSid` must be signed with; undefined: no account of this run. */
  private tokenFor(accountSid: string | undefined): string | undefined {
    if (this.tokens === undefined) return this.options.authToken;
    return accountSid === undefined ? undefined : this.tokens.get(accountSid);
  }

  /**
   * A load thread's note that `sid` was accepted at `acceptedAtMs` (absolute, clock.ts);
   * `onSettled` hears once when `awaitStatus` (default: delivered) or a failure arrives.
   */
  expect(
    sid: string,
    acceptedAtMs: number,
    awaitStatus?: string,
    tags: Readonly<Record<string, string>> = {},
    onSettled?: SettleListener,
  ): void {
    this.ledger.expect(sid, acceptedAtMs, awaitStatus, tags, onSettled);
  }

  /** Accepted messages still without a terminal status. */
  get outstanding(): number {
    return this.ledger.outstanding;
  }

  /**
   * Waits until every accepted message has a terminal status or `drainTimeoutMs` passes,
   * then reports; the lost messages are also counted in the recorder (messages_lost).
   */
  async reconcile(drainTimeoutMs: number, signal?: AbortSignal): Promise<Reconciliation> {
    const deadline = nowMs() + drainTimeoutMs;
    while (this.ledger.outstanding > 0 && nowMs() < deadline && !signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = this.ledger.reconcile();
    if (result.lost > 0) this.options.recorder.counter(METRICS.messagesLost, {}).add(result.lost);
    return result;
  }

  async close(): Promise<void> {
    if (this.listenSocket !== undefined) this.closeListen?.(this.listenSocket);
    this.listenSocket = undefined;
    this.closeApp?.();
    this.closeApp = undefined;
  }
}

export type { Reconciliation };
