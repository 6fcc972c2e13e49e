/** The plugin's controllers, by the names its routes refer to them. */
import apiKeys from './api-keys';
import operator from './operator';
import preview from './preview';
import scores from './scores';
import segments from './segments';
import simulate from './simulate';

export default { segments, scores, simulate, preview, operator, 'api-keys': apiKeys };
