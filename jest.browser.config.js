import { base } from './jest.config.js';

/** `npm run test:browser`: headless-Chromium checks of what a person sees (needs /usr/bin/chromium). */
export default {
  ...base,
  testMatch: ['<rootDir>/test/**/*.browser.test.ts'],
};
