/**
 * The embedded lab: gateway, identity, one cell with every product module, the super-network
 * with its carrier simulators, all in one process on embedded backends. `twilio-lab up`
 * with no topology starts exactly this.
 */
export {};
//# sourceMappingURL=types.js.map