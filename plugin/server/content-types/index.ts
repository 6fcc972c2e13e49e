/**
 * The plugin's content types: `plugin::personalize.segment` (audiences and their rules) and
 * `plugin::personalize.score` (weighted scores the rules refer to). Both are configuration, not
 * content: no draft/publish, hidden from the Content Manager (editors use the Segments page, whose
 * permissions are the plugin's own RBAC actions).
 */
import scoreSchema from './score/schema.json';
import segmentSchema from './segment/schema.json';

export default {
  segment: { schema: segmentSchema },
  score: { schema: scoreSchema },
};
