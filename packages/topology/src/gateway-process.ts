/** Entry point of the gateway process (spawned by the topology supervisor). */
import { startGatewayProcess } from './gateway-runtime.js';
import { runSupervisedProcess } from './process-main.js';

await runSupervisedProcess('gateway', async (config) => {
  const gateway = await startGatewayProcess(config);
  return {
    ready: {
      type: 'ready',
      port: gateway.port,
      accountSid: gateway.accountSid,
      authToken: gateway.authToken,
      adminToken: gateway.adminToken,
    },
    close: () => gateway.close(),
  };
});
