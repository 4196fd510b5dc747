/** Paths inside parsed documents: shared with every file format the project reads (see @twilio-lab/core). */
export { formatPath, pointerToSegments } from '@twilio-lab/core';
export type { PathSegment } from '@twilio-lab/core';
