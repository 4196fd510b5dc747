import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from './index.js';

test('index exports the whole public API', () => {
  const expected = [
    'SID_PREFIX',
    'newSid',
    'isSid',
    'newRequestId',
    'TwilioError',
    'twilioError',
    'ERROR_CATALOGUE',
    'errorBody',
    'errorResponse',
    'toErrorResponse',
    'notFound',
    'jsonResponse',
    'FormParams',
    'decodePathSegment',
    'encodeForm',
    'rfc2822',
    'iso8601',
    'parseDateFilter',
    'encodePageToken',
    'decodePageToken',
    'readPaging',
    'list2010',
    'listV1',
    'signWebhook',
    'validateWebhookSignature',
    'bodySha256',
    'isE164',
    'countryOf',
    'TEST_NUMBERS',
    'smsSegments',
    'parseXml',
    'textOf',
    'Type',
    'validate',
    'ConfigError',
  ];
  for (const name of expected) assert.notEqual((core as Record<string, unknown>)[name], undefined, name);
});
