/**
 * Admin entry point of the personalize plugin, as Strapi's admin build (Vite) imports it for a plugin
 * loaded from a local path. The admin source is TypeScript/React; Vite compiles it with the panel.
 */
export { default } from './plugin/admin/src';
