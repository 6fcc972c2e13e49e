/**
 * What the browser tests load into a page: the client package's public API on `window`, so tests
 * drive it with `page.evaluate` exactly as an application would call it.
 */
import * as personalize from '../../../client/src/index.js';

declare global {
  interface Window {
    personalize: typeof personalize;
  }
}

window.personalize = personalize;
