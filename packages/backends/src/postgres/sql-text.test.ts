import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TranslationCache, translateDdl, translatePlaceholders } from './sql-text.js';

describe('translatePlaceholders', () => {
  it('numbers the placeholders in order', () => {
    assert.deepEqual(translatePlaceholders('INSERT INTO t (a, b, c) VALUES (?, ?,?)'), {
      text: 'INSERT INTO t (a, b, c) VALUES ($1, $2,$3)',
      params: 3,
    });
    assert.deepEqual(translatePlaceholders('SELECT 1'), { text: 'SELECT 1', params: 0 });
  });

  it('leaves ? inside string literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT '?', 'it''s ?', "we?ird" FROM t -- why?
      WHERE a = ? /* ? */ AND b = 'x?' AND c = ?`;
    assert.deepEqual(translatePlaceholders(sql), {
      text: `SELECT '?', 'it''s ?', "we?ird" FROM t -- why?
      WHERE a = $1 /* ? */ AND b = 'x?' AND c = $2`,
      params: 2,
    });
  });

  it('leaves dollar-quoted bodies alone but not $n-like text outside them', () => {
    const sql = 'SELECT $$ ? $$, $tag$ ? $tag$, ?';
    assert.deepEqual(translatePlaceholders(sql), { text: 'SELECT $$ ? $$, $tag$ ? $tag$, $1', params: 1 });
  });

  it('copes with an unterminated literal (the server reports the syntax error)', () => {
    assert.deepEqual(translatePlaceholders("SELECT ? WHERE x = 'open ?"), {
      text: "SELECT $1 WHERE x = 'open ?",
      params: 1,
    });
  });
});

describe('translateDdl', () => {
  it('maps INTEGER, REAL and BLOB to their PostgreSQL types, in any case', () => {
    assert.equal(
      translateDdl('CREATE TABLE v (i INTEGER NOT NULL, r real, b Blob, t TEXT)'),
      'CREATE TABLE v (i BIGINT NOT NULL, r DOUBLE PRECISION, b BYTEA, t TEXT)',
    );
  });

  it('does not touch identifiers that contain the words, nor literals and comments', () => {
    const sql = "CREATE TABLE x (integer_col TEXT DEFAULT 'INTEGER', my_real TEXT) -- BLOB";
    assert.equal(translateDdl(sql), sql);
  });
});

describe('TranslationCache', () => {
  it('translates each text once and gives it a stable, unique statement name', () => {
    const cache = new TranslationCache(2);
    const a = cache.get('SELECT ?');
    assert.equal(cache.get('SELECT ?'), a);
    assert.equal(a.text, 'SELECT $1');
    const b = cache.get('SELECT ?, ?');
    assert.notEqual(b.name, a.name);
    cache.get('SELECT 3'); // evicts the oldest
    assert.equal(cache.size, 2);
    const again = cache.get('SELECT ?');
    assert.notEqual(again.name, a.name, 'a re-added text never reuses a name');
    assert.notEqual(again.name, b.name);
  });
});
