import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, name, msg and fields', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'cell-1', stream: out.stream });
    log.info({ accountSid: 'AC1', count: 2 }, 'started');
    const [line] = out.lines();
    assert.ok(line !== undefined);
    assert.equal(line.level, 'info');
    assert.equal(line.name, 'cell-1');
    assert.equal(line.msg, 'started');
    assert.deepEqual(line.fields, { accountSid: 'AC1', count: 2 });
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('drops levels below the threshold and writes nothing when silent', () => {
    const info = capture();
    const infoLog = createLogger({ level: 'info', name: 'x', stream: info.stream });
    infoLog.debug({}, 'hidden');
    infoLog.warn({}, 'shown');
    assert.deepEqual(
      info.lines().map((l) => l.msg),
      ['shown'],
    );

    const silent = capture();
    const silentLog = createLogger({ level: 'silent', name: 'x', stream: silent.stream });
    silentLog.error({ a: 1 }, 'nothing');
    assert.equal(silent.lines().length, 0);

    const debug = capture();
    createLogger({ level: 'debug', name: 'x', stream: debug.stream }).debug({}, 'dbg');
    assert.equal(debug.lines().length, 1);
  });

  it('serialises errors with their message and code, and survives cyclic fields', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'x', stream: out.stream });
    log.error({ err: Object.assign(new Error('boom'), { code: 'E_BOOM' }) }, 'failed');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.error(cyclic, 'cyclic');
    const [first, second] = out.lines();
    const err = (first?.fields as { err: Record<string, unknown> }).err;
    assert.equal(err.message, 'boom');
    assert.equal(err.code, 'E_BOOM');
    assert.equal(second?.fields, '[unserialisable]');
  });
});
