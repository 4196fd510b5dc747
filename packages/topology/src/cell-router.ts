import { errorResponse, twilioError } from '@twilio-lab/core';
import type { CellHandler, CellRequest, CellResponse } from '@twilio-lab/core';
import type { CellRouter } from '@twilio-lab/gateway';
import { isBackendUnavailable } from '@twilio-lab/backends';
import type { CellDirectory } from './placement.js';

const NO_CELL: CellResponse = errorResponse(twilioError(20503, 'No cell currently serves this account'));

/**
 * The gateway's router in topology mode. The gateway asks synchronously; an account already
 * known to the directory gets its cell at once (the steady state). An account seen for the
 * first time gets one shared handler that asks the directory (which places it by policy and
 * persists the choice) and then forwards: no per-request closure on either path.
 */
export function createCellRouter(
  directory: CellDirectory,
  cells: ReadonlyMap<string, CellHandler>,
): CellRouter {
  const placing: CellHandler = {
    cellId: 'placing',
    async handle(req: CellRequest): Promise<CellResponse> {
      let cellId: string;
      try {
        cellId = await directory.cellOf(req.accountSid);
      } catch (err) {
        // The gateway maps an unreachable global store to 503 itself; anything else here means
        // no cell can take the account, which is the same answer for the client.
        if (isBackendUnavailable(err)) throw err;
        return NO_CELL;
      }
      const cell = cells.get(cellId);
      return cell === undefined ? NO_CELL : cell.handle(req);
    },
  };
  return {
    cellFor(accountSid: string): CellHandler | undefined {
      const cellId = directory.cached(accountSid);
      if (cellId === undefined) return placing;
      return cells.get(cellId);
    },
  };
}
