// The commands themselves are found by oclif in dist/commands; this names what other code may reuse.
export { LabApi } from './lab-api.js';
export type {
  CarrierInfo,
  DeadLetter,
  HandsetMessage,
  LabApiOptions,
  LabStatus,
  SendFromHandset,
} from './lab-api.js';
export { CliError, EXIT } from './errors.js';
export type { CliErrorCode } from './errors.js';
export {
  readStateFile,
  requireRunningLab,
  writeState,
  removeState,
  statePath,
  STATE_FILE,
} from './state-file.js';
export { labOptionsFromFlags, parseSince } from './flags.js';
export type { UpFlags } from './flags.js';
