/** Entry point of a cell process (spawned by the topology supervisor). */
import { startCellProcess } from './cell-runtime.js';
import { runSupervisedProcess } from './process-main.js';

await runSupervisedProcess('cell', async (config) => {
  const cell = await startCellProcess(config);
  return { ready: { type: 'ready', port: cell.port }, close: () => cell.close() };
});
