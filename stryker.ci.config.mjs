// The mutation run CI enforces (npm run test:mutation:ci): the full configuration of
// stryker.config.json narrowed to the rules that decide when an auction may still take a bid,
// close or be cancelled, so that it fits CI's time (README "Mutation testing"). The full run is
// npm run test:mutation.
import base from './stryker.config.json' with { type: 'json' };

export default {
  ...base,
  mutate: ['domain/auctions/close-rules.ts', 'domain/auctions/cancel-rules.ts', 'domain/auctions/open-auction-guard.ts'],
  thresholds: { ...base.thresholds, break: 85 },
  reporters: ['clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation-ci/index.html' },
  jsonReporter: { fileName: 'reports/mutation-ci/mutation.json' },
};
