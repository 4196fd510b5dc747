/** k6 duration strings: shared with every file format the project reads (see @twilio-lab/core). */
export { DURATION_PATTERN, formatDuration, parseDuration } from '@twilio-lab/core';
