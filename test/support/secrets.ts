/**
 * The token key every test process signs with. The development default is refused outside
 * NODE_ENV=development, so each harness names this one explicitly (and processes it spawns get it too).
 */
export const TEST_JWT_SECRET = 'gavel-test-secret-not-the-development-one-0123456789';
