/** Schema checks with readable issues: shared with every file format the project reads (see @twilio-lab/core). */
export { checkShape, closest } from '@twilio-lab/core';
export type { RawIssue } from '@twilio-lab/core';
