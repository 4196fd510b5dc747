import {
  FormParams,
  jsonResponse,
  list2010,
  notFound,
  readPaging,
  toErrorResponse,
  twilioError,
} from '@twilio-lab/core';
import type { CellRequest, CellResponse } from '@twilio-lab/core';
import { isAccountStatus } from './identity-service.js';
import { matchIdentityPath } from './identity-path.js';
import type { IdentityPath } from './identity-path.js';
import { keysetPage } from './keyset-page.js';
import { accountJson, keyJson } from './representations.js';
import type { AccountStatus, IdentityService } from './types.js';

const COLLECTION_METHODS = 'GET, POST';
const KEY_METHODS = 'GET, POST, DELETE';

function methodNotAllowed(allow: string): never {
  throw twilioError(20004, undefined, { headers: { Allow: allow } });
}

function readStatus(value: string | undefined): AccountStatus | undefined {
  if (value === undefined) return undefined;
  if (!isAccountStatus(value)) {
    throw twilioError(20001, `Invalid Status: ${value} (expected active, suspended or closed)`);
  }
  return value;
}

/**
 * The target account must be the caller's or one of its subaccounts; anything else is
 * reported as not found so that another tenant's SIDs cannot be probed.
 */
async function requireAccess(identity: IdentityService, req: CellRequest, accountSid: string): Promise<void> {
  if (!(await identity.mayActFor(req.authAccountSid, accountSid))) throw notFound(req.path);
}

async function handleAccounts(identity: IdentityService, req: CellRequest): Promise<CellResponse> {
  if (req.method === 'POST') {
    const form = FormParams.parse(req.body);
    const account = await identity.createAccount({
      friendlyName: form.get('FriendlyName'),
      parentSid: req.authAccountSid,
    });
    return jsonResponse(201, accountJson(account));
  }
  if (req.method !== 'GET') methodNotAllowed(COLLECTION_METHODS);
  const query = FormParams.parse(req.query);
  const paging = readPaging(query);
  const accounts = await identity.listAccounts(req.authAccountSid, {
    friendlyName: query.get('FriendlyName'),
    status: readStatus(query.get('Status')),
  });
  const page = keysetPage(accounts, paging);
  return jsonResponse(
    200,
    list2010({
      key: 'accounts',
      path: req.path,
      query,
      records: page.records.map(accountJson),
      pageSize: paging.pageSize,
      page: paging.page,
      nextToken: page.nextToken,
      prevToken: page.prevToken,
    }),
  );
}

async function handleAccount(
  identity: IdentityService,
  req: CellRequest,
  sid: string,
): Promise<CellResponse> {
  await requireAccess(identity, req, sid);
  if (req.method === 'GET') {
    const account = await identity.getAccount(sid);
    if (account === undefined) throw notFound(req.path);
    return jsonResponse(200, accountJson(account));
  }
  if (req.method !== 'POST') methodNotAllowed(COLLECTION_METHODS);
  const form = FormParams.parse(req.body);
  const account = await identity.updateAccount(sid, {
    friendlyName: form.get('FriendlyName'),
    status: readStatus(form.get('Status')),
  });
  return jsonResponse(200, accountJson(account));
}

async function handleKeys(
  identity: IdentityService,
  req: CellRequest,
  accountSid: string,
): Promise<CellResponse> {
  await requireAccess(identity, req, accountSid);
  if (req.method === 'POST') {
    const form = FormParams.parse(req.body);
    const key = await identity.createKey(accountSid, form.get('FriendlyName'));
    return jsonResponse(201, keyJson(key));
  }
  if (req.method !== 'GET') methodNotAllowed(COLLECTION_METHODS);
  const query = FormParams.parse(req.query);
  const paging = readPaging(query);
  const page = keysetPage(await identity.listKeys(accountSid), paging);
  return jsonResponse(
    200,
    list2010({
      key: 'keys',
      path: req.path,
      query,
      records: page.records.map(keyJson),
      pageSize: paging.pageSize,
      page: paging.page,
      nextToken: page.nextToken,
      prevToken: page.prevToken,
    }),
  );
}

async function handleKey(
  identity: IdentityService,
  req: CellRequest,
  accountSid: string,
  keySid: string,
): Promise<CellResponse> {
  await requireAccess(identity, req, accountSid);
  switch (req.method) {
    case 'GET': {
      const key = await identity.getKey(accountSid, keySid);
      if (key === undefined) throw notFound(req.path);
      return jsonResponse(200, keyJson(key));
    }
    case 'POST': {
      const friendlyName = FormParams.parse(req.body).get('FriendlyName');
      const current = await identity.getKey(accountSid, keySid);
      if (current === undefined) throw notFound(req.path);
      const key =
        friendlyName === undefined ? current : await identity.updateKey(accountSid, keySid, friendlyName);
      if (key === undefined) throw notFound(req.path);
      return jsonResponse(200, keyJson(key));
    }
    case 'DELETE':
      if (!(await identity.deleteKey(accountSid, keySid))) throw notFound(req.path);
      return jsonResponse(204, undefined);
    default:
      return methodNotAllowed(KEY_METHODS);
  }
}

function dispatch(identity: IdentityService, req: CellRequest, match: IdentityPath): Promise<CellResponse> {
  switch (match.kind) {
    case 'accounts':
      return handleAccounts(identity, req);
    case 'account':
      return handleAccount(identity, req, match.accountSid);
    case 'keys':
      return handleKeys(identity, req, match.accountSid);
    case 'key':
      return handleKey(identity, req, match.accountSid, match.keySid);
  }
}

/**
 * The 2010 API's Accounts and Keys resources, answered by the global tier. The request has
 * been authenticated by the gateway (`authAccountSid`, `credentialSid`); this handler still
 * checks that the caller may reach the account in the path. Returns null for any other path.
 * API keys may not manage accounts or keys (as Twilio's standard keys): 403 with code 20008.
 */
export async function handleIdentityRequest(
  identity: IdentityService,
  req: CellRequest,
): Promise<CellResponse | null> {
  if (req.product !== 'api') return null;
  const match = matchIdentityPath(req.path);
  if (match === null) return null;
  try {
    if (req.credentialSid.startsWith('SK')) {
      throw twilioError(20008, 'API keys cannot access this resource');
    }
    return await dispatch(identity, req, match);
  } catch (e) {
    return toErrorResponse(e);
  }
}
