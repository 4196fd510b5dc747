/**
 * @twilio-lab/topology: topology files (regions, cells, placement, backends, latency matrix,
 * ports) and the multi-process launch behind `twilio-lab up -t`: a supervised gateway process
 * and one process per cell, accounts placed on cells, cells reached over HTTP keep-alive.
 */
export { EXIT_CONFIG, TopologyError } from './errors.js';
export type { TopologyErrorCode } from './errors.js';
export {
  TopologySchema,
  topologyJsonSchema,
  topologyJsonSchemaText,
  ID_PATTERN,
  ACCOUNT_SID_PATTERN,
  CELL_REF_PATTERN,
} from './schema.js';
export type { TopologyFile, RegionSpec, CellSpec, LinkSpec, BackendKindName } from './schema.js';
export { loadTopologyFile, parseTopology, validateTopology } from './load.js';
export type { Topology, RegionModel, CellModel, Link } from './load.js';
export { rendezvous } from './rendezvous.js';
export type { WeightedTarget } from './rendezvous.js';
export { createCellDirectory, PLACEMENT_MIGRATIONS } from './placement.js';
export type { CellDirectory, CellDirectoryOptions } from './placement.js';
export { RemoteCell, CELL_PATHS } from './remote-cell.js';
export type { RemoteCellOptions } from './remote-cell.js';
export { createCellRouter } from './cell-router.js';
export { createTopologyLabControl } from './topology-control.js';
export type { ControlledCell, TopologyControlOptions } from './topology-control.js';
export { cellIdentity } from './cell-identity.js';
export { startCellServer } from './cell-server.js';
export type { CellServer, CellServerOptions } from './cell-server.js';
export { startCellProcess, cellDataDir, cellNamespace } from './cell-runtime.js';
export type { RunningCellProcess } from './cell-runtime.js';
export { startGatewayProcess } from './gateway-runtime.js';
export type { RunningGatewayProcess } from './gateway-runtime.js';
export { openGlobalStore } from './global-store.js';
export { PROCESS_CONFIG_ENV, GLOBAL_STORE_FILE, processConfigFromEnv } from './process-config.js';
export type {
  CellEndpoint,
  CellProcessConfig,
  GatewayProcessConfig,
  LogLevel,
  ProcessConfig,
  ReadyMessage,
} from './process-config.js';
export { Supervisor, backoffDelay } from './supervisor.js';
export type {
  BackoffOptions,
  ProcessSpec,
  ProcessState,
  ProcessStatus,
  SupervisorEvent,
  SupervisorOptions,
} from './supervisor.js';
export {
  TOPOLOGY_STATE_FILE,
  isPidAlive,
  readTopologyState,
  removeTopologyState,
  topologyStatePath,
  writeTopologyState,
} from './state.js';
export type { TopologyCellState, TopologyState } from './state.js';
export {
  CELL_PROCESS_SCRIPT,
  GATEWAY_PROCESS_SCRIPT,
  downTopology,
  startTopology,
  topologyStatus,
} from './launch.js';
export type {
  DownResult,
  ProcessHealth,
  RunningTopology,
  StartTopologyOptions,
  TopologyStatus,
} from './launch.js';
export { formatTopologyStarted, formatTopologyStatus, renderTable } from './format.js';
