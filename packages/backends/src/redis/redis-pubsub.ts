/**
 * Fire-and-forget fan-out over Redis pub/sub, e.g. routing-table invalidations sent to every
 * gateway. Two connections: a connection in subscriber mode can do nothing but (un)subscribe,
 * so publishing needs its own.
 *
 * Pub/sub delivers only to whoever is connected at that moment: messages sent while the
 * subscriber connection is down are lost. After a reconnect the channels are subscribed
 * again and `onReconnect` is called, so a cache kept up to date by these messages can drop
 * everything it holds instead of serving entries whose invalidation it missed.
 */
import { BackendError } from '../errors.js';
import { openRedisConnection } from './connection.js';
import type { RedisConnection, RedisConnectionOptions } from './connection.js';

export interface RedisPubSubOptions extends RedisConnectionOptions {
  /**
   * Prefix of every channel name, so regions / labs sharing a server do not hear each other.
   * Default: `keyPrefix`.
   */
  channelPrefix?: string;
  /** Called once the subscriber is back and subscribed again after losing its connection. */
  onReconnect?: () => void;
  /** Called when a handler throws. Default: a process warning. */
  onHandlerError?: (error: unknown, channel: string) => void;
}

export type MessageHandler = (message: string, channel: string) => void;

export interface RedisPubSub {
  /** Resolves with how many subscriber connections received the message. */
  publish(channel: string, message: string): Promise<number>;
  /**
   * Resolves once Redis has confirmed the subscription (a message published after that is
   * delivered), with a function that removes this handler.
   */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function openRedisPubSub(options: RedisPubSubOptions): Promise<RedisPubSub> {
  // Channels are prefixed here, not by ioredis: its keyPrefix is meant for keys.
  const connectionOptions = { ...options, keyPrefix: '' };
  const publisher = await openRedisConnection(connectionOptions, 'publisher');
  let subscriber: RedisConnection;
  try {
    subscriber = await openRedisConnection(connectionOptions, 'subscriber');
  } catch (error) {
    await publisher.close();
    throw error;
  }
  return new RedisPubSubClient(publisher, subscriber, options);
}

interface ChannelEntry {
  readonly channel: string;
  readonly handlers: Set<MessageHandler>;
  /** Settles when Redis confirmed the SUBSCRIBE. */
  subscribed: Promise<void>;
}

class RedisPubSubClient implements RedisPubSub {
  readonly #publisher: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #prefix: string;
  readonly #onReconnect: (() => void) | undefined;
  readonly #onHandlerError: (error: unknown, channel: string) => void;
  /** By full (prefixed) channel name. */
  readonly #channels = new Map<string, ChannelEntry>();
  #closing: Promise<void> | undefined;

  constructor(publisher: RedisConnection, subscriber: RedisConnection, options: RedisPubSubOptions) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#prefix = options.channelPrefix ?? options.keyPrefix ?? '';
    this.#onReconnect = options.onReconnect;
    this.#onHandlerError = options.onHandlerError ?? warnHandlerError;
    subscriber.client.on('message', this.#dispatch);
    // The first 'ready' happened before this constructor ran, so every one heard is a reconnect.
    subscriber.client.on('ready', this.#resubscribe);
  }

  publish(channel: string, message: string): Promise<number> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    return this.#publisher.client
      .publish(this.#prefix + channel, message)
      .then(undefined, this.#publishFailed);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    if (this.#closing !== undefined) throw closedError();
    const fullName = this.#prefix + channel;
    let entry = this.#channels.get(fullName);
    if (entry === undefined) {
      entry = { channel, handlers: new Set(), subscribed: Promise.resolve() };
      this.#channels.set(fullName, entry);
      entry.subscribed = this.#subscriber.client.subscribe(fullName).then(ignore);
    }
    // Registered before the SUBSCRIBE is confirmed, so no message after the confirmation is missed.
    entry.handlers.add(handler);
    try {
      await entry.subscribed;
    } catch (error) {
      this.#forget(fullName, handler);
      throw this.#closing !== undefined ? closedError() : this.#subscriber.unavailable(error);
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      if (this.#forget(fullName, handler) && this.#closing === undefined) {
        // A failure here means the connection is down; the reconnect only resubscribes the
        // channels still in the map, so the channel is gone either way.
        await this.#subscriber.client.unsubscribe(fullName).catch(ignore);
      }
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#subscriber.client.off('ready', this.#resubscribe);
      this.#channels.clear();
      await Promise.all([this.#publisher.close(), this.#subscriber.close()]);
    })();
    return this.#closing;
  }

  /** Removes a handler; true when it was the channel's last one. */
  #forget(fullName: string, handler: MessageHandler): boolean {
    const entry = this.#channels.get(fullName);
    if (entry === undefined || !entry.handlers.delete(handler) || entry.handlers.size > 0) return false;
    this.#channels.delete(fullName);
    return true;
  }

  readonly #dispatch = (fullName: string, message: string): void => {
    const entry = this.#channels.get(fullName);
    if (entry === undefined) return;
    for (const handler of entry.handlers) {
      try {
        handler(message, entry.channel);
      } catch (error) {
        this.#onHandlerError(error, entry.channel);
      }
    }
  };

  readonly #resubscribe = (): void => {
    const names = [...this.#channels.keys()];
    const resubscribed = names.length === 0 ? Promise.resolve() : this.#subscriber.client.subscribe(...names);
    resubscribed.then(
      () => this.#onReconnect?.(),
      // Lost again before the SUBSCRIBE was answered: the next 'ready' tries again.
      ignore,
    );
  };

  readonly #publishFailed = (error: unknown): never => {
    throw this.#closing !== undefined ? closedError() : this.#publisher.unavailable(error);
  };
}

function ignore(): void {}

function warnHandlerError(error: unknown, channel: string): void {
  process.emitWarning(
    `a Redis pub/sub handler for channel '${channel}' threw: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function closedError(): BackendError {
  return new BackendError('CACHE_CLOSED', 'the Redis pub/sub connection is closed');
}
