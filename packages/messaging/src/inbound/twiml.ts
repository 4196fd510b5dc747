import { FormParams, parseXml, textOf } from '@twilio-lab/core';
import type { XmlElement } from '@twilio-lab/core';

/** What a MessagingResponse asks for, in document order. */
export type MessagingAction =
  | {
      verb: 'message';
      to?: string;
      from?: string;
      body: string;
      mediaUrls: string[];
      statusCallback?: string;
    }
  | { verb: 'redirect'; url: string; method: 'GET' | 'POST' };

/**
 * Reads a MessagingResponse. Empty or non-XML bodies mean "no reply" (an app may answer
 * 204 or plain text); a malformed XML body throws core's 12100. Unknown verbs are skipped,
 * and nothing after a <Redirect> is reachable.
 */
export function readMessagingResponse(body: string): MessagingAction[] {
  const text = body.trim();
  if (text === '' || text[0] !== '<') return [];
  const root = parseXml(text);
  if (root.name !== 'Response') return [];
  const actions: MessagingAction[] = [];
  for (const child of root.children) {
    if (typeof child === 'string') continue;
    if (child.name === 'Message') {
      actions.push(readMessage(child));
    } else if (child.name === 'Redirect') {
      const method = (child.attrs.method ?? 'POST').toUpperCase() === 'GET' ? 'GET' : 'POST';
      actions.push({ verb: 'redirect', url: textOf(child), method });
      break;
    }
  }
  return actions;
}

function readMessage(el: XmlElement): MessagingAction {
  let body: string | undefined;
  const mediaUrls: string[] = [];
  for (const child of el.children) {
    if (typeof child === 'string') continue;
    if (child.name === 'Body') body = (body ?? '') + textOf(child);
    else if (child.name === 'Media') mediaUrls.push(textOf(child));
  }
  const action: MessagingAction = { verb: 'message', body: body ?? textOf(el), mediaUrls };
  if (el.attrs.to !== undefined) action.to = el.attrs.to;
  if (el.attrs.from !== undefined) action.from = el.attrs.from;
  // 'action' is the legacy name of the status callback on <Message>.
  const callback = el.attrs.statusCallback ?? el.attrs.action;
  if (callback !== undefined) action.statusCallback = callback;
  return action;
}

/** The Messages create form of a <Message> reply. */
export function replyForm(
  action: Extract<MessagingAction, { verb: 'message' }>,
  defaults: { to: string; from: string; messagingServiceSid: string | null; baseUrl: string },
): FormParams {
  const fields: Record<string, string | string[]> = {
    To: action.to ?? defaults.to,
    From: action.from ?? defaults.from,
    Body: action.body,
  };
  if (action.mediaUrls.length > 0)
    fields.MediaUrl = action.mediaUrls.map((url) => resolveUrl(url, defaults.baseUrl));
  if (action.statusCallback !== undefined)
    fields.StatusCallback = resolveUrl(action.statusCallback, defaults.baseUrl);
  if (defaults.messagingServiceSid !== null) fields.MessagingServiceSid = defaults.messagingServiceSid;
  return FormParams.from(fields);
}

/** Relative URLs in TwiML are relative to the document's own URL. */
export function resolveUrl(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}
