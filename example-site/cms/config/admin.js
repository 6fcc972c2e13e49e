'use strict';

/**
 * Admin panel secrets. The fallbacks keep `npm run demo` a one-command start; every one of them must be
 * set from the environment in any real deployment.
 */
module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'demo-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'demo-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'demo-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'demo-encryption-key-32-characters!') },
  flags: { nps: false, promoteEE: false },
});
