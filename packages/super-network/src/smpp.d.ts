/**
 * Minimal ambient types for npm `smpp` 0.5.1 (it ships none): only the surface this package
 * uses. PDU fields are dynamic in the library (one property per SMPP parameter or TLV), so a
 * PDU is typed as its header plus an index of optional parameter values.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** What the library's message filter yields for short_message / message_payload on receipt. */
  export interface DecodedMessage {
    message: string | Buffer;
    udh?: Buffer[];
  }

  export type PduValue = string | number | Buffer | DecodedMessage | Date | null | undefined;

  export class PDU {
    constructor(command: string, options?: Record<string, PduValue>);
    /** Parses one complete PDU from its wire bytes. */
    constructor(wire: Buffer);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    message_id?: string;
    source_addr?: string;
    destination_addr?: string;
    esm_class?: number;
    data_coding?: number | null;
    registered_delivery?: number;
    short_message?: DecodedMessage | Buffer;
    message_payload?: DecodedMessage | Buffer;
    receipted_message_id?: string;
    message_state?: number;
    [tlvOrParam: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, PduValue>): PDU;
    toBuffer(): Buffer;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    paused: boolean;
    send(pdu: PDU, responseCallback?: (resp: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  export interface TlvType {
    read(buffer: Buffer, offset: number, length: number): unknown;
    write(value: unknown, buffer: Buffer, offset: number): void;
    size(value: unknown): number;
  }

  export function createServer(
    options: Record<string, unknown>,
    listener?: (session: Session) => void,
  ): Server;
  export function connect(options: { host: string; port: number }, listener?: () => void): Session;
  export function addTLV(tag: string, options: { id: number; type: TlvType }): void;

  export const encodings: { ASCII: { decode(bytes: Buffer): string; encode(text: string): Buffer } };
  export const types: { tlv: { cstring: TlvType; buffer: TlvType; int8: TlvType } };

  export const ESME_ROK: number;
  export const ESME_RSYSERR: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RINVSYSID: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RSUBMITFAIL: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RINVBNDSTS: number;
  export const ESME_RINVCMDID: number;
}
