/**
 * The cell runtime's contracts. A product module is one object: its routes, its store
 * migrations, and its workers (start/stop). The cell composes modules and gives them a
 * CellContext; nothing outside a module knows its insides.
 */
import type { CellRequest, CellResponse, FormParams, HttpMethod, ProductId } from '@twilio-lab/core';
import type { Cache, Migration, Queue, Store, WriteOp } from '@twilio-lab/backends';
import type { IdentityService } from '@twilio-lab/identity';
import type { SuperNetwork } from '@twilio-lab/super-network';
import type { Registry } from '@twilio-lab/metrics';

export interface RouteContext {
  req: CellRequest;
  /** Path parameters, percent-decoded (a literal '+' stays '+'). */
  params: Readonly<Record<string, string>>;
  /** Decoded form body (empty when the body is not form-encoded). */
  form: FormParams;
  /** Decoded query string. */
  query: FormParams;
}

export type RouteHandler = (ctx: RouteContext) => Promise<CellResponse> | CellResponse;

export interface RouteDef {
  method: HttpMethod;
  product: ProductId;
  /**
   * Path pattern below the product prefix with ':Name' segments, e.g.
   * '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json' (a ':Name.json' segment matches
   * a value followed by the literal suffix).
   */
  path: string;
  handler: RouteHandler;
}

export interface WebhookRequest {
  accountSid: string;
  url: string;
  method: 'GET' | 'POST';
  params: Readonly<Record<string, string>>;
  /** What produced it, for the dead-letter list and metrics, e.g. 'message-status'. */
  kind: string;
  /** The resource it is about (e.g. the message SID). */
  resourceSid: string;
  requestId?: string;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface DeadLetter {
  id: string;
  accountSid: string;
  kind: string;
  resourceSid: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  idempotencyToken: string;
  attempts: number;
  lastError: string;
  dateCreated: number;
}

export interface WebhookDispatcher {
  /**
   * Durably records a callback and delivers it in the background: signed with the account's
   * auth token, a stable I-Twilio-Idempotency-Token across retries, 15 s per attempt,
   * exponential back-off with jitter, bounded attempts, then the dead-letter list.
   * Resolves once the callback is durable (not when delivered).
   */
  enqueue(request: WebhookRequest): Promise<void>;
  /** Like enqueue but part of the caller's own store write: returns the ops to add to it. */
  enqueueOps(request: WebhookRequest): WriteOp[];
  /** Kicks delivery of callbacks recorded through enqueueOps (after the caller's write resolved). */
  flush(): void;
  /** One signed request, answered synchronously (inbound-message webhooks fetching TwiML). No retries beyond a failed connect. */
  request(request: WebhookRequest): Promise<WebhookResponse>;
  deadLetters(filter?: { accountSid?: string; limit?: number }): Promise<DeadLetter[]>;
  /** Callbacks recorded and not yet delivered or dead-lettered. */
  pending(): Promise<number>;
  /** Callbacks in the dead-letter list. */
  deadLetterCount(): Promise<number>;
  /** Waits until nothing is in flight (used by graceful shutdown and tests), up to timeoutMs. */
  drain(timeoutMs: number): Promise<void>;
  /** Store migrations of the outbox; the cell applies them before start(). */
  readonly migrations?: readonly Migration[];
  /** Resumes delivery of callbacks recorded before a restart. Called by the cell's start(). */
  start?(): Promise<void>;
  /** Stops timers and closes connections; undelivered callbacks stay in the store. Called by the cell's stop() after drain. */
  stop?(): Promise<void>;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CellConfig {
  cellId: string;
  region: string;
  /** 'lab' = no sender throughput limits (storms); 'realistic' = Twilio's published MPS per sender type. */
  profile: 'lab' | 'realistic';
}

export interface CellContext {
  readonly config: CellConfig;
  readonly store: Store;
  readonly queue: Queue;
  readonly cache: Cache;
  readonly identity: IdentityService;
  readonly superNetwork: SuperNetwork;
  readonly webhooks: WebhookDispatcher;
  readonly log: Logger;
  /**
   * The process's metrics registry (one per process). Modules record their families in it
   * only when present: tests and tools that build a context without one record nothing.
   */
  readonly metrics?: Registry;
  now(): number;
}

export interface ProductModule {
  readonly name: string;
  readonly migrations: readonly Migration[];
  routes(ctx: CellContext): RouteDef[];
  /** Starts workers (queue consumers, timers) and recovers in-flight work after a restart. */
  start?(ctx: CellContext): Promise<void>;
  /** Stops taking new work and finishes what is in flight. */
  stop?(): Promise<void>;
}
