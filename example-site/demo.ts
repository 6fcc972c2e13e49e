/**
 * `npm run demo`: the whole product in one command.
 *
 *   1. picks the profile store (REDIS_URL, else a local Redis, else the embedded store) and says which;
 *   2. builds what is needed: the browser client package and the SPA;
 *   3. starts the CMS with the plugin (`example-site/cms`, seeded on first start) or, when the CMS app
 *      is not present, the standalone GraphQL server over the seed content as JSON fixtures;
 *   4. serves the built SPA on its own port, forwarding `/personalize` to the endpoint (one origin);
 *   5. prints the URLs and the admin login, and stops everything on Ctrl-C.
 *
 * Ports: `DEMO_PORT` (SPA, default 5173), `CMS_PORT` (default 1337). `DEMO_BACKEND=standalone` skips
 * the CMS (no admin build, starts in seconds) and serves the seed fixtures from the standalone server.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_ADMIN } from './seed/content';
import { writeFixtures } from './seed/fixtures';
import { run, start, stopAll, waitForHttp } from './demo/processes';
import { chooseStore, describeStore } from './demo/store-choice';
import { signIdentityAssertion } from '../server/identity';
import { startSpaServer } from './spa-server';

const repo = resolve(__dirname, '..');
/** The endpoint's token secret. */
const tokenSecret = (process.env.PERSONALIZE_TOKEN_SECRETS ?? 'demo-profile-token-secret-change-me')
  .split(',')[0]!
  .trim();
/** The endpoint's identity secret: the demo's stand-in login backend signs identity assertions with it. */
const identitySecret = (
  process.env.PERSONALIZE_IDENTITY_SECRETS ?? 'demo-identity-assertion-secret-change-me'
)
  .split(',')[0]!
  .trim();
const spaPort = Number(process.env.DEMO_PORT ?? 5173);
const backendPort = Number(process.env.CMS_PORT ?? 1337);

async function main(): Promise<void> {
  const store = await chooseStore();
  console.log(`[demo] profile store: ${describeStore(store)}`);
  const storeEnv: NodeJS.ProcessEnv = {
    REDIS_URL: store.kind === 'redis' ? store.url : '',
    // The CMS plugin reads PERSONALIZE_TOKEN_SECRETS, the standalone server TOKEN_SECRETS.
    PERSONALIZE_TOKEN_SECRETS: tokenSecret,
    TOKEN_SECRETS: tokenSecret,
    PERSONALIZE_IDENTITY_SECRETS: identitySecret,
    IDENTITY_SECRETS: identitySecret,
  };

  console.log('[demo] building the client package and the SPA…');
  await run('build', 'npm', ['run', 'build', '-w', '@personalize/client'], { cwd: repo });
  await run('build', 'npm', ['run', 'build', '-w', '@personalize/example-spa'], { cwd: repo });

  const backendUrl = `http://127.0.0.1:${backendPort}`;
  const cmsDir = join(repo, 'example-site', 'cms');
  let mode: 'cms' | 'standalone';
  if (process.env.DEMO_BACKEND !== 'standalone' && existsSync(join(cmsDir, 'package.json'))) {
    mode = 'cms';
    console.log('[demo] starting the CMS with the personalize plugin (first start seeds the demo)…');
    const cms = start('cms', 'npx', ['strapi', 'develop', '--no-watch-admin'], {
      cwd: cmsDir,
      env: {
        ...storeEnv,
        PORT: String(backendPort),
        HOST: '127.0.0.1',
        // A demo must start offline and quietly: no update check (which also writes .strapi-updater.json), no telemetry.
        STRAPI_DISABLE_UPDATE_NOTIFICATION: 'true',
        STRAPI_TELEMETRY_DISABLED: 'true',
      },
    });
    await waitForHttp(`${backendUrl}/_health`, 240_000, cms);
  } else {
    mode = 'standalone';
    const contentDir = join(repo, '.tmp', 'demo-content');
    mkdirSync(contentDir, { recursive: true });
    writeFixtures(contentDir);
    console.log(
      `[demo] starting the standalone GraphQL server over the seed fixtures (${contentDir}), no CMS…`,
    );
    const server = start('graphql', 'npx', ['tsx', 'server/standalone.ts'], {
      cwd: repo,
      env: { ...storeEnv, PORT: String(backendPort), CONTENT_DIR: contentDir },
    });
    await waitForHttp(`${backendUrl}/personalize/graphql?query=%7B__typename%7D`, 60_000, server);
  }

  const spa = await startSpaServer({
    root: join(repo, 'example-site', 'spa', 'dist'),
    upstream: backendUrl,
    port: spaPort,
    host: '127.0.0.1',
    // The demo's rules may read `traits.demo`: traits come from the signed assertion, not the browser.
    signIdentityAssertion: (userId) =>
      signIdentityAssertion({ userId, secret: identitySecret, traits: { demo: true } }),
  });
  const lines = [
    '',
    '  Personalize demo is running',
    `    storefront (SPA)   ${spa.url.replace('127.0.0.1', 'localhost')}`,
    `    GraphQL endpoint   ${backendUrl}/personalize/graphql  (HTTP + WebSocket)`,
    ...(mode === 'cms'
      ? [
          `    Strapi admin       ${backendUrl}/admin`,
          `    admin login        ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`,
        ]
      : ['    (no CMS admin in standalone mode: segments and content come from the seed fixtures)']),
    `    profile store      ${describeStore(store)}`,
    '',
    '  Try it: open the storefront in two tabs, read 4 news articles in one, and watch the home banner',
    '  change in the other. The panel on the right says why, and when each segment lapses.',
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));

  const shutdown = async (): Promise<void> => {
    console.log('[demo] stopping…');
    await spa.close();
    await stopAll();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch(async (error: unknown) => {
  console.error('[demo] failed:', error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
