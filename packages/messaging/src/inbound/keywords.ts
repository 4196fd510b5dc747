/** Carrier-standard opt-out and opt-in keywords (the whole message, trimmed, any case). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export type OptKeyword = 'opt-out' | 'opt-in' | null;

export function optKeyword(body: string): OptKeyword {
  // Keywords are short; skip the trim/upper-case work for ordinary messages.
  if (body.length > 24) return null;
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return null;
}
