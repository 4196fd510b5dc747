export { startLab } from './lab.js';
export { createLabControl, type ControlDeps } from './control.js';
export { bootstrapAccount, LabConfigError, type BootstrapState } from './bootstrap.js';
export type { LabInfo, LabOptions, RunningLab } from './types.js';
