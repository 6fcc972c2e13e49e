/**
 * `getService(strapi, name)`: the plugin's own services, typed by name (as @strapi/i18n's
 * `getService`), so no call site casts what `strapi.plugin(...).service(...)` returns.
 */
import type { Core } from '@strapi/strapi';
import type services from './services';
import { PLUGIN_ID } from './uids';

type Services = typeof services;
export type ServiceName = keyof Services;
export type PluginService<K extends ServiceName> = ReturnType<Services[K]>;

export function getService<K extends ServiceName>(strapi: Core.Strapi, name: K): PluginService<K> {
  return strapi.plugin(PLUGIN_ID).service(name) as PluginService<K>;
}
