/** The plugin id, as Strapi knows it on the server and in the admin. */
export const PLUGIN_ID = 'personalize';
