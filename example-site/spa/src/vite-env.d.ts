/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Personalize GraphQL endpoint; default same-origin `/personalize/graphql`. */
  readonly VITE_PERSONALIZE_URL?: string;
  /** Beacon endpoint for events left at page hide, when the server offers one. */
  readonly VITE_PERSONALIZE_BEACON_URL?: string;
}
