'use strict';

/**
 * Admin panel secrets. The fallbacks keep `npm run demo` a one-command start; every one of them must be
 * set from the environment in any real deployment.
 *
 * `SERVE_ADMIN_PANEL=false` runs an API-only instance (no panel, so no admin build needed): the admin
 * API behind the panel still answers, so extra instances behind a load balancer can leave the panel
 * to one of them.
 */
module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'demo-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'demo-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'demo-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'demo-encryption-key-32-characters!') },
  flags: { nps: false, promoteEE: false },
  serveAdminPanel: env.bool('SERVE_ADMIN_PANEL', true),
});
