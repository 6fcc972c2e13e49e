/** The plugin's routers: only the admin API (the GraphQL endpoint is mounted in bootstrap). */
import admin from './admin';

export default { admin };
