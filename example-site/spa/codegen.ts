/**
 * GraphQL Code Generator for the SPA: typed documents (`graphql()` in src/__generated__) from the
 * endpoint's schema. The schema is the static contract plus the content types generated from the
 * CMS model; `schema.graphql` is that full schema, printed by `npm run demo` / the e2e setup, or
 * take it from a running endpoint with `PERSONALIZE_SCHEMA=http://127.0.0.1:1337/personalize/graphql`.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: process.env.PERSONALIZE_SCHEMA ?? 'schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/__generated__/**'],
  hooks: { afterOneFileWrite: ['prettier --write'] },
  generates: {
    'src/__generated__/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        scalars: { JSON: 'unknown', DateTime: 'string', ID: 'string' },
        enumsAsTypes: true,
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
