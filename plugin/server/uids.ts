/** Uids of the plugin's own content types and its custom field, named once. */
export const SEGMENT_UID = 'plugin::personalize.segment';
export const SCORE_UID = 'plugin::personalize.score';
export const API_KEY_UID = 'plugin::personalize.api-key';
export const PLUGIN_ID = 'personalize';
export { SEGMENTS_FIELD } from '../../content/types';
