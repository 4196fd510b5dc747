/** Schema checks with readable issues, as bench scenarios give them (shared in @twilio-lab/core). */
export { checkShape, closest, formatPath } from '@twilio-lab/core';
export type { PathSegment, RawIssue } from '@twilio-lab/core';
