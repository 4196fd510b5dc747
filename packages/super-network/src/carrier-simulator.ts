/**
 * One simulated carrier: an SMSC speaking SMPP 3.4 over real TCP on loopback. It accepts
 * transceiver binds with its credentials, answers submits after a sampled latency (throttling
 * above maxTps or the window), delivers to the shared handsets, sends delivery receipts, and
 * carries mobile-originated messages from handsets to the bound platform. Fault hooks
 * (unbindAll, close, setOutcomes, pause) let chaos experiments break it on purpose.
 *
 * With a journal (see carrier-journal.ts) it is store-and-forward across restarts, like a real
 * SMSC: what it accepted and has not finished is replayed on start().
 */
import { randomBytes } from 'node:crypto';
import type { PDU, Server, Session } from 'smpp';
import type { CarrierConfig, CarrierOutcomes } from './carrier-config.js';
import { outcomeIssues } from './carrier-config.js';
import { CarrierJournal } from './carrier-journal.js';
import type { JournaledMessage, JournaledOutcome, PendingMessage } from './carrier-journal.js';
import { DelayQueue } from './delay-queue.js';
import { SuperNetworkError } from './errors.js';
import type { HandsetRegistry } from './handset-registry.js';
import { LogNormalSampler, seededRandom } from './random.js';
import { DLR_ERR, MESSAGE_STATE, formatReceipt } from './receipt.js';
import type { ReceiptStat } from './receipt.js';
import { encodeBody } from './sms-codec.js';
import {
  CMD_DELIVER_SM,
  CMD_SUBMIT_SM_RESP,
  encodeResponse,
  encodeShortMessage,
  installWireReader,
  nextSequence,
  setSequence,
  writeFrame,
} from './smpp-wire.js';
import { withinMs } from './timeouts.js';
import {
  ESM_CLASS_DELIVERY_RECEIPT,
  STATUS,
  TLV_ACCOUNT_SID,
  TLV_MESSAGE_SID,
  bodyOf,
  destroySession,
  encodeMediaUrls,
  fromSmppAddress,
  mediaUrlsOf,
  smpp,
  stringTlv,
  toSmppAddress,
} from './smpp-protocol.js';

/** Attempts for a handset's message the platform refuses (ESME_RSYSERR) before the sender is told. */
const MAX_DELIVER_ATTEMPTS = 5;
const DELIVER_RETRY_BASE_MS = 50;
/**
 * A delivery receipt the platform refuses is retried like an SMSC does, for hours rather than
 * for a second: the platform refuses it while its store is down, and a receipt dropped then
 * leaves the message at 'sent' for good. Back-off doubles up to this cap...
 */
const RECEIPT_RETRY_MAX_MS = 5_000;
/** ...and the carrier gives up after this many attempts (about an hour at the cap). */
const MAX_RECEIPT_ATTEMPTS = 730;

interface BindState {
  readonly session: Session;
  bound: boolean;
  closed: boolean;
  /** Submits received on this bind and not yet answered (the window). */
  outstanding: number;
  /** deliver_sm sent on this bind, by sequence number, awaiting deliver_sm_resp. */
  readonly awaiting: Map<number, OutgoingDeliver>;
}

/** A message the carrier accepted: what its journal records, plus where it came from. */
interface AcceptedMessage extends Omit<JournaledMessage, 'receiptDueAt'> {
  /** The bind it came in on (receipts prefer it); null for a message replayed from the journal. */
  origin: BindState | null;
}

interface OutgoingDeliver {
  kind: 'receipt' | 'mobile-originated';
  /** For a receipt: the carrier message id it finishes (journaled as completed once acknowledged). */
  messageId: string | null;
  /** The encoded deliver_sm; each attempt stamps a fresh sequence number of its bind. */
  frame: Buffer;
  attempts: number;
  preferred: BindState | null;
  settle: ((error: Error | null) => void) | null;
}

type SimJob =
  | { kind: 'submit-resp'; bind: BindState; sequence: number; message: AcceptedMessage }
  | { kind: 'receipt'; message: AcceptedMessage }
  | { kind: 'deliver'; deliver: OutgoingDeliver };

export interface CarrierCounters {
  submitted: number;
  delivered: number;
  failed: number;
  throttled: number;
}

export interface SimulatorLog {
  warn(obj: object, msg?: string): void;
}

export interface CarrierSimulatorOptions {
  /** Append-only journal file; start() replays it. Absent = nothing survives close() or a crash. */
  journalPath?: string;
}

/** A submit_sm_resp waiting for the journal write of its message. */
interface HeldResponse {
  bind: BindState;
  sequence: number;
  id: string;
}

export class CarrierSimulator {
  readonly config: CarrierConfig;
  readonly counters: CarrierCounters = { submitted: 0, delivered: 0, failed: 0, throttled: 0 };

  private outcomes: CarrierOutcomes;
  private server: Server | null = null;
  private listenPort: number;
  private readonly binds = new Set<BindState>();
  private readonly jobs: DelayQueue<SimJob>;
  private readonly random: () => number;
  private readonly submitLatency: LogNormalSampler;
  private readonly receiptLatency: LogNormalSampler;
  private idPrefix = randomBytes(3).toString('hex');
  private nextId = 0;
  private roundRobin = 0;
  /** Receipts with no bound platform to go to; a real SMSC stores them until the next bind. */
  private parked: OutgoingDeliver[] = [];
  private readonly pendingMobileOriginated = new Set<OutgoingDeliver>();
  private tokens: number;
  private tokensAt = Date.now();
  private pausedUntil = 0;
  private forcedSubmitStatus = 0;
  private resumeTimer: NodeJS.Timeout | null = null;
  private readonly journalPath: string | null;
  private journal: CarrierJournal | null = null;
  private held: HeldResponse[] = [];

  constructor(
    config: CarrierConfig,
    private readonly handsets: HandsetRegistry,
    private readonly log?: SimulatorLog,
    options: CarrierSimulatorOptions = {},
  ) {
    this.journalPath = options.journalPath ?? null;
    this.config = config;
    this.outcomes = { ...config.outcomes };
    this.listenPort = config.port ?? 0;
    this.random = seededRandom(config.seed ?? hashName(config.name));
    this.submitLatency = new LogNormalSampler(
      config.submitLatencyMs.median,
      config.submitLatencyMs.p99,
      this.random,
    );
    this.receiptLatency = new LogNormalSampler(
      config.receiptLatencyMs.median,
      config.receiptLatencyMs.p99,
      this.random,
    );
    this.tokens = config.maxTps ?? 0;
    this.jobs = new DelayQueue<SimJob>(this.runJob, (error) =>
      this.log?.warn({ carrier: config.name, error }, 'job failed'),
    );
  }

  get name(): string {
    return this.config.name;
  }

  /** TCP port; after the first start() it is fixed so a restarted simulator comes back at the same address. */
  get port(): number {
    return this.listenPort;
  }

  address(): string {
    return `smpp://127.0.0.1:${this.listenPort}`;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** True when at least one platform bind is up. */
  get bound(): boolean {
    for (const bind of this.binds) if (bind.bound) return true;
    return false;
  }

  /** Messages accepted and not finished that the journal holds (0 without a journal). */
  get journaled(): number {
    return this.journal?.pendingCount ?? 0;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const replayed = this.openJournal();
    const server = smpp.createServer({}, (session) => this.accept(session));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        this.closeJournal();
        reject(
          new SuperNetworkError(
            'CARRIER_START_FAILED',
            `Carrier ${this.name} cannot listen on 127.0.0.1:${this.listenPort}: ${error.message}`,
          ),
        );
      };
      server.once('error', onError);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (error) => this.log?.warn({ carrier: this.name, error }, 'carrier server error'));
    const address = server.address();
    if (address && typeof address === 'object') this.listenPort = address.port;
    this.server = server;
    for (const pending of replayed) this.resume(pending);
  }

  private openJournal(): PendingMessage[] {
    if (this.journalPath === null) return [];
    let opened;
    try {
      opened = CarrierJournal.open(this.journalPath, {
        onFlushed: this.releaseHeld,
        onError: (error) =>
          this.log?.warn({ carrier: this.name, error }, 'carrier journal write failed; records lost'),
      });
    } catch (error) {
      throw new SuperNetworkError(
        'CARRIER_START_FAILED',
        `Carrier ${this.name} cannot open its journal ${this.journalPath}: ${(error as Error).message}`,
      );
    }
    if (opened.skippedLines > 0)
      this.log?.warn(
        { carrier: this.name, skippedLines: opened.skippedLines },
        'carrier journal had unreadable lines (a crash mid-write); ignored',
      );
    this.journal = opened.journal;
    // New ids must not collide with the ones still owed from before the restart.
    const used = new Set(opened.pending.map((p) => p.message.id.slice(0, this.idPrefix.length)));
    while (used.has(this.idPrefix)) this.idPrefix = randomBytes(3).toString('hex');
    return opened.pending;
  }

  private closeJournal(): void {
    const journal = this.journal;
    this.journal = null;
    this.held = [];
    journal?.close();
  }

  /** Picks up a message replayed from the journal where the previous run left it. */
  private resume({ message: m, outcome }: PendingMessage): void {
    const message: AcceptedMessage = {
      id: m.id,
      from: m.from,
      to: m.to,
      body: m.body,
      mediaUrls: m.mediaUrls,
      messageSid: m.messageSid,
      accountSid: m.accountSid,
      submittedAt: m.submittedAt,
      validUntil: m.validUntil,
      wantsReceipt: m.wantsReceipt,
      origin: null,
    };
    // The handset already has it (or it already failed): only the receipt is still owed.
    if (outcome) this.sendReceipt(message, outcome);
    else this.jobs.schedule(m.receiptDueAt - Date.now(), { kind: 'receipt', message });
  }

  /** Stops listening, drops every bind and every pending action. start() brings it back on the same port. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.jobs.clear();
    // What was accepted and not finished stays in the journal for the next start().
    this.closeJournal();
    this.parked = [];
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    this.pausedUntil = 0;
    for (const deliver of this.pendingMobileOriginated) {
      deliver.settle?.(
        new SuperNetworkError(
          'NETWORK_CLOSED',
          `Carrier ${this.name} closed before the platform accepted the message`,
        ),
      );
    }
    this.pendingMobileOriginated.clear();
    const closing = [...this.binds].map((bind) => destroyBind(bind));
    if (server) closing.push(new Promise<void>((resolve) => server.close(() => resolve())));
    await Promise.all(closing);
  }

  /** Sends unbind on every bind (the platform should reconnect), then drops the connections. */
  async unbindAll(): Promise<void> {
    await Promise.all(
      [...this.binds].map(async (bind) => {
        if (!bind.closed && bind.bound) {
          bind.bound = false;
          bind.session.send(new smpp.PDU('unbind', {}));
          const answered = new Promise<void>((resolve) => bind.session.once('unbind_resp', () => resolve()));
          await withinMs(answered, 500);
        }
        await destroyBind(bind);
      }),
    );
  }

  setOutcomes(outcomes: CarrierOutcomes): void {
    const issues = outcomeIssues(outcomes, 'outcomes');
    if (issues.length > 0) throw new RangeError(`Carrier ${this.name}: ${issues[0]!.message}`);
    this.outcomes = { ...outcomes };
  }

  /** Answers every submit with this SMPP error status (e.g. ESME_RSYSERR) until called with 0. */
  failSubmits(status: number): void {
    this.forcedSubmitStatus = status;
  }

  /** The carrier stalls for `ms`: it stops reading PDUs and holds every scheduled response and receipt. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    for (const bind of this.binds) bind.session.pause();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      this.pausedUntil = 0;
      for (const bind of this.binds) if (!bind.closed) bind.session.resume();
    }, ms);
  }

  /** A handset's message towards the platform; resolves once the platform answered deliver_sm_resp OK. */
  sendMobileOriginated(input: {
    from: string;
    to: string;
    body: string;
    mediaUrls: readonly string[];
  }): Promise<void> {
    const frame = encodeShortMessage(CMD_DELIVER_SM, 0, {
      source: toSmppAddress(input.from),
      destination: toSmppAddress(input.to),
      esmClass: 0,
      registeredDelivery: 0,
      validityPeriod: '',
      body: encodeBody(input.body),
      messageSid: null,
      accountSid: null,
      mediaUrls: encodeMediaUrls(input.mediaUrls) ?? null,
      receiptedMessageId: null,
      messageState: null,
    });
    return new Promise<void>((resolve, reject) => {
      const deliver: OutgoingDeliver = {
        kind: 'mobile-originated',
        messageId: null,
        frame,
        attempts: 0,
        preferred: null,
        settle: (error) => {
          this.pendingMobileOriginated.delete(deliver);
          if (error) reject(error);
          else resolve();
        },
      };
      this.pendingMobileOriginated.add(deliver);
      this.dispatch(deliver);
    });
  }

  // ---- sessions --------------------------------------------------------------------------

  private accept(session: Session): void {
    installWireReader(session);
    const bind: BindState = { session, bound: false, closed: false, outstanding: 0, awaiting: new Map() };
    this.binds.add(bind);
    if (this.pausedUntil > Date.now()) session.pause();
    session.socket.setNoDelay(true);
    session.on('pdu', (pdu: PDU) => this.onPdu(bind, pdu));
    // Resets and aborted writes surface here; the 'close' that follows does the cleanup.
    session.on('error', () => undefined);
    session.on('close', () => this.onClose(bind));
  }

  private onPdu(bind: BindState, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm':
        this.onSubmit(bind, pdu);
        return;
      case 'deliver_sm_resp':
        this.onDeliverResp(bind, pdu);
        return;
      case 'enquire_link':
        bind.session.send(pdu.response());
        return;
      case 'bind_transceiver':
        this.onBind(bind, pdu);
        return;
      case 'bind_transmitter':
      case 'bind_receiver':
        // Only transceiver binds are offered: receipts and MO messages share the submit connection.
        bind.session.send(pdu.response({ command_status: STATUS.BIND_FAILED }));
        return;
      case 'unbind':
        bind.bound = false;
        bind.session.send(pdu.response(), () => bind.session.close());
        return;
      case 'unbind_resp':
      case 'enquire_link_resp':
      case 'generic_nack':
        return;
      default:
        if (!pdu.isResponse()) bind.session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
    }
  }

  private onBind(bind: BindState, pdu: PDU): void {
    if (pdu.system_id !== this.config.systemId || pdu.password !== this.config.password) {
      bind.session.send(pdu.response({ command_status: STATUS.BIND_FAILED }), () => bind.session.close());
      return;
    }
    bind.bound = true;
    bind.session.send(pdu.response({ system_id: this.name }));
    const parked = this.parked;
    this.parked = [];
    for (const deliver of parked) this.dispatch(deliver);
  }

  private onClose(bind: BindState): void {
    bind.closed = true;
    bind.bound = false;
    this.binds.delete(bind);
    // Closing: close() already settled what was pending and must not be handed new timers.
    if (!this.server) return;
    // Whatever the platform had not acknowledged goes out again on another bind (or waits).
    for (const deliver of bind.awaiting.values()) this.jobs.schedule(0, { kind: 'deliver', deliver });
    bind.awaiting.clear();
  }

  // ---- submits ---------------------------------------------------------------------------

  private onSubmit(bind: BindState, pdu: PDU): void {
    const sequence = pdu.sequence_number;
    if (!bind.bound) {
      bind.session.send(
        new smpp.PDU('submit_sm_resp', {
          sequence_number: sequence,
          command_status: STATUS.INVALID_BIND_STATUS,
        }),
      );
      return;
    }
    if (this.forcedSubmitStatus !== 0) {
      bind.session.send(
        new smpp.PDU('submit_sm_resp', {
          sequence_number: sequence,
          command_status: this.forcedSubmitStatus,
        }),
      );
      return;
    }
    const window = this.config.window;
    if ((window !== undefined && bind.outstanding >= window) || !this.takeToken()) {
      this.counters.throttled++;
      bind.session.send(
        new smpp.PDU('submit_sm_resp', { sequence_number: sequence, command_status: STATUS.THROTTLED }),
      );
      return;
    }
    const now = Date.now();
    const validity = pdu.validity_period;
    const message: AcceptedMessage = {
      id: this.idPrefix + (++this.nextId).toString(16),
      from: fromSmppAddress(pdu.source_addr, pdu.source_addr_ton),
      to: fromSmppAddress(pdu.destination_addr, pdu.dest_addr_ton),
      body: bodyOf(pdu),
      mediaUrls: mediaUrlsOf(pdu),
      messageSid: stringTlv(pdu, TLV_MESSAGE_SID),
      accountSid: stringTlv(pdu, TLV_ACCOUNT_SID),
      submittedAt: now,
      validUntil: validity instanceof Date ? validity.getTime() : null,
      wantsReceipt: ((pdu.registered_delivery ?? 0) & 0x03) !== 0,
      origin: bind,
    };
    bind.outstanding++;
    this.jobs.schedule(this.submitLatency.next(), { kind: 'submit-resp', bind, sequence, message });
  }

  /** Token bucket refilled continuously at maxTps, holding at most one second of tokens. */
  private takeToken(): boolean {
    const maxTps = this.config.maxTps;
    if (maxTps === undefined) return true;
    const now = Date.now();
    this.tokens = Math.min(maxTps, this.tokens + ((now - this.tokensAt) * maxTps) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private readonly runJob = (job: SimJob): void => {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.jobs.schedule(wait, job);
      return;
    }
    switch (job.kind) {
      case 'submit-resp':
        this.answerSubmit(job.bind, job.sequence, job.message);
        return;
      case 'receipt':
        this.complete(job.message);
        return;
      case 'deliver':
        this.dispatch(job.deliver);
        return;
    }
  };

  private answerSubmit(bind: BindState, sequence: number, message: AcceptedMessage): void {
    bind.outstanding--;
    // The bind died before the answer: the platform sees the loss and fails over; the message is gone.
    if (bind.closed) return;
    this.counters.submitted++;
    const receiptDelay = this.receiptLatency.next();
    const journal = this.journal;
    if (journal) {
      // Accepted means journaled: the answer waits for this turn's journal write (onFlushed).
      journal.accepted({
        id: message.id,
        from: message.from,
        to: message.to,
        body: message.body,
        mediaUrls: message.mediaUrls,
        messageSid: message.messageSid,
        accountSid: message.accountSid,
        submittedAt: message.submittedAt,
        validUntil: message.validUntil,
        wantsReceipt: message.wantsReceipt,
        receiptDueAt: Date.now() + receiptDelay,
      });
      this.held.push({ bind, sequence, id: message.id });
    } else {
      writeFrame(bind.session, encodeResponse(CMD_SUBMIT_SM_RESP, sequence, STATUS.OK, message.id));
    }
    this.jobs.schedule(receiptDelay, { kind: 'receipt', message });
  }

  /** The journal write of this turn returned: the submits it recorded may now be answered. */
  private readonly releaseHeld = (): void => {
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    for (const { bind, sequence, id } of held) {
      if (bind.closed) continue;
      writeFrame(bind.session, encodeResponse(CMD_SUBMIT_SM_RESP, sequence, STATUS.OK, id));
    }
  };

  /** The message's fate: delivered to the handset or not, then the receipt if one was requested. */
  private complete(message: AcceptedMessage): void {
    const now = Date.now();
    const { stat, err } = this.drawOutcome(message, now);
    if (stat === 'DELIVRD') {
      this.counters.delivered++;
      this.handsets.deliver({
        direction: 'in',
        from: message.from,
        to: message.to,
        body: message.body,
        mediaUrls: message.mediaUrls,
        carrier: this.name,
        messageSid: message.messageSid,
        at: now,
      });
    } else {
      this.counters.failed++;
    }
    if (!message.wantsReceipt) {
      this.journal?.completed(message.id);
      return;
    }
    const outcome: JournaledOutcome = { stat, err, doneAt: now };
    // The delivered marker: after a restart only the receipt is sent again, never the message.
    this.journal?.outcome(message.id, outcome);
    this.sendReceipt(message, outcome);
  }

  private sendReceipt(message: AcceptedMessage, { stat, err, doneAt }: JournaledOutcome): void {
    const text = formatReceipt({
      id: message.id,
      stat,
      err,
      submittedAt: message.submittedAt,
      doneAt,
      body: message.body,
    });
    const frame = encodeShortMessage(CMD_DELIVER_SM, 0, {
      source: toSmppAddress(message.to),
      destination: toSmppAddress(message.from),
      esmClass: ESM_CLASS_DELIVERY_RECEIPT,
      registeredDelivery: 0,
      validityPeriod: '',
      body: encodeBody(text),
      // Echoed so a platform that restarted (its id map gone) can still attribute the receipt.
      messageSid: message.messageSid,
      accountSid: message.accountSid,
      mediaUrls: null,
      receiptedMessageId: message.id,
      messageState: MESSAGE_STATE[stat],
    });
    this.dispatch({
      kind: 'receipt',
      messageId: message.id,
      frame,
      attempts: 0,
      preferred: message.origin,
      settle: null,
    });
  }

  private drawOutcome(message: AcceptedMessage, now: number): { stat: ReceiptStat; err: string } {
    if (message.validUntil !== null && now > message.validUntil)
      return { stat: 'EXPIRED', err: DLR_ERR.NONE };
    const o = this.outcomes;
    const r = this.random();
    if (r < o.delivered) return { stat: 'DELIVRD', err: DLR_ERR.NONE };
    if (r < o.delivered + o.undelivered || o.failed === 0) {
      const stat = o.undeliveredStat ?? 'UNDELIV';
      return {
        stat,
        err: stat === 'EXPIRED' ? DLR_ERR.NONE : (o.undeliveredErr ?? DLR_ERR.ABSENT_SUBSCRIBER),
      };
    }
    return { stat: 'REJECTD', err: o.failedErr ?? DLR_ERR.FILTERED };
  }

  // ---- deliver_sm towards the platform ---------------------------------------------------

  private pickBind(preferred: BindState | null): BindState | null {
    if (preferred && preferred.bound && !preferred.closed) return preferred;
    const binds = [...this.binds].filter((b) => b.bound && !b.closed);
    if (binds.length === 0) return null;
    return binds[this.roundRobin++ % binds.length]!;
  }

  private dispatch(deliver: OutgoingDeliver): void {
    if (!this.server) {
      deliver.settle?.(new SuperNetworkError('NETWORK_CLOSED', `Carrier ${this.name} is not running`));
      return;
    }
    const bind = this.pickBind(deliver.preferred);
    if (bind) {
      const sequence = nextSequence(bind.session);
      setSequence(deliver.frame, sequence);
      if (writeFrame(bind.session, deliver.frame)) {
        bind.awaiting.set(sequence, deliver);
        return;
      }
    }
    if (deliver.kind === 'receipt') {
      this.parked.push(deliver);
      return;
    }
    this.retry(deliver, 'no platform bind is up');
  }

  private onDeliverResp(bind: BindState, pdu: PDU): void {
    const deliver = bind.awaiting.get(pdu.sequence_number);
    if (!deliver) return;
    bind.awaiting.delete(pdu.sequence_number);
    if (pdu.command_status === STATUS.OK) {
      if (deliver.messageId !== null) this.journal?.completed(deliver.messageId);
      deliver.settle?.(null);
      return;
    }
    this.retry(deliver, `the platform answered status 0x${pdu.command_status.toString(16)}`);
  }

  private retry(deliver: OutgoingDeliver, reason: string): void {
    deliver.attempts++;
    const isReceipt = deliver.kind === 'receipt';
    if (deliver.attempts >= (isReceipt ? MAX_RECEIPT_ATTEMPTS : MAX_DELIVER_ATTEMPTS)) {
      if (deliver.settle) {
        deliver.settle(
          new SuperNetworkError(
            'HANDSET_SEND_FAILED',
            `Carrier ${this.name} gave up after ${deliver.attempts} attempts: ${reason}`,
          ),
        );
      } else {
        this.log?.warn({ carrier: this.name, reason }, 'delivery receipt dropped after retries');
        if (deliver.messageId !== null) this.journal?.completed(deliver.messageId);
      }
      return;
    }
    deliver.preferred = null;
    const backoff = DELIVER_RETRY_BASE_MS * 2 ** Math.min(deliver.attempts - 1, 16);
    this.jobs.schedule(isReceipt ? Math.min(backoff, RECEIPT_RETRY_MAX_MS) : backoff, {
      kind: 'deliver',
      deliver,
    });
  }
}

function destroyBind(bind: BindState): Promise<void> {
  return destroySession(bind.session);
}

/** A stable default seed per carrier name, so an unseeded config is still reproducible. */
function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
