import { notFound } from '@twilio-lab/core';
import type { RouteContext } from '@twilio-lab/cell';

/**
 * The account a 2010 request acts for. The gateway has already matched the path's AccountSid
 * to the credential; a mismatch here means the request reached the wrong resource, and an
 * unknown resource is always answered as 404 (never 403: that would confirm it exists).
 */
export function accountOf(rc: RouteContext): string {
  const inPath = rc.params.AccountSid;
  if (inPath !== undefined && inPath !== rc.req.accountSid) throw notFound(rc.req.path);
  return rc.req.accountSid;
}

/** A path parameter the route pattern guarantees. */
export function param(rc: RouteContext, name: string): string {
  const value = rc.params[name];
  if (value === undefined) throw notFound(rc.req.path);
  return value;
}
