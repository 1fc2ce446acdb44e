/**
 * Preloaded into the mocha process (`.mocharc.json`); child processes the tests start get
 * `NODE_OPTIONS=--require <build>/testkit/loopbackGuard.js`. A test during which anything
 * tried to reach a non-loopback address fails, instead of passing quietly on a retry.
 */
import { blockedConnections } from '../../testkit/loopbackGuard';

/** Mocha root hooks: fail the test during which a non-loopback connection was attempted. */
export const mochaHooks = {
  afterEach(this: { currentTest?: { title: string } }): void {
    if (blockedConnections.length > 0) {
      const seen = blockedConnections.splice(0);
      throw new Error(`test tried to reach a non-loopback address: ${seen.join(', ')}`);
    }
  },
};
