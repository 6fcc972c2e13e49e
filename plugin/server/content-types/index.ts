/**
 * The plugin's content types: `plugin::personalize.segment` (audiences and their rules),
 * `plugin::personalize.score` (weighted scores the rules refer to) and
 * `plugin::personalize.api-key` (server-to-server API keys, hashed). All are configuration, not
 * content: no draft/publish, hidden from the Content Manager (editors use the Segments and API
 * keys pages, whose permissions are the plugin's own RBAC actions).
 */
import apiKeySchema from './api-key/schema.json';
import scoreSchema from './score/schema.json';
import segmentSchema from './segment/schema.json';

export default {
  segment: { schema: segmentSchema },
  score: { schema: scoreSchema },
  'api-key': { schema: apiKeySchema },
};
