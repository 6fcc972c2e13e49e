/**
 * The plugin's routers: the admin API and the operator endpoints (the GraphQL endpoint is mounted
 * in bootstrap).
 */
import admin from './admin';
import operator from './operator';

export default { admin, operator };
