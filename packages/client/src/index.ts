export { labClient } from './lab-client.js';
export type { LabClientOptions } from './lab-client.js';
export { LabRequestClient } from './lab-request-client.js';
export type { RequestClientOptions, RequestOptions } from './lab-request-client.js';
export { labUrl, isTwilioHostname } from './lab-url.js';
