/**
 * Mints a server API key for the standalone server:
 *
 *   npm run --silent api-key -- traits:write [more scopes...]
 *
 * prints the key (hand it to the backend that calls the API; it is shown only here) and the
 * `API_KEYS` entry to configure (`id:sha256hex:scopes`: only the hash, never the key). In Strapi,
 * keys are minted on the admin's API keys page instead.
 */
import { API_KEY_SCOPES, isApiKeyScope, mintApiKey } from './api-keys';

const scopes = process.argv.slice(2);
if (scopes.length === 0 || !scopes.every(isApiKeyScope)) {
  process.stderr.write(
    `usage: npm run --silent api-key -- <scope>... (scopes: ${API_KEY_SCOPES.join(', ')})\n`,
  );
  process.exit(2);
}
const { key, id, hash } = mintApiKey();
process.stdout.write(`key=${key}\nAPI_KEYS entry=${id}:${hash}:${scopes.join('+')}\n`);
