/**
 * Admin API routes, served at `/personalize/...` (Strapi prefixes a plugin's admin routes with its
 * id). Every route needs an authenticated admin; all but the tag options also need the plugin's
 * read or manage permission (permissions.ts); the API keys routes need their own.
 */
import { ACTIONS } from '../permissions';

const can = (action: string) => [
  'admin::isAuthenticatedAdmin',
  { name: 'admin::hasPermissions', config: { actions: [action] } },
];

export default {
  type: 'admin',
  routes: [
    {
      method: 'GET',
      path: '/api-keys',
      handler: 'api-keys.find',
      config: { policies: can(ACTIONS.manageApiKeys) },
    },
    {
      method: 'POST',
      path: '/api-keys',
      handler: 'api-keys.create',
      config: { policies: can(ACTIONS.manageApiKeys) },
    },
    {
      method: 'POST',
      path: '/api-keys/:documentId/rotate',
      handler: 'api-keys.rotate',
      config: { policies: can(ACTIONS.manageApiKeys) },
    },
    {
      method: 'POST',
      path: '/api-keys/:documentId/revoke',
      handler: 'api-keys.revoke',
      config: { policies: can(ACTIONS.manageApiKeys) },
    },
    { method: 'GET', path: '/scores', handler: 'scores.find', config: { policies: can(ACTIONS.read) } },
    { method: 'POST', path: '/scores', handler: 'scores.create', config: { policies: can(ACTIONS.manage) } },
    {
      method: 'PUT',
      path: '/scores/:documentId',
      handler: 'scores.update',
      config: { policies: can(ACTIONS.manage) },
    },
    {
      method: 'DELETE',
      path: '/scores/:documentId',
      handler: 'scores.delete',
      config: { policies: can(ACTIONS.manage) },
    },
    {
      method: 'GET',
      path: '/segment-options',
      handler: 'segments.options',
      config: { policies: ['admin::isAuthenticatedAdmin'] },
    },
    {
      method: 'GET',
      path: '/preview/:uid/:documentId',
      handler: 'preview.preview',
      config: { policies: can(ACTIONS.read) },
    },
    {
      method: 'POST',
      path: '/simulate',
      handler: 'simulate.simulate',
      config: { policies: can(ACTIONS.read) },
    },
    { method: 'GET', path: '/segments', handler: 'segments.find', config: { policies: can(ACTIONS.read) } },
    {
      method: 'GET',
      path: '/segments/:documentId',
      handler: 'segments.findOne',
      config: { policies: can(ACTIONS.read) },
    },
    {
      method: 'POST',
      path: '/segments',
      handler: 'segments.create',
      config: { policies: can(ACTIONS.manage) },
    },
    {
      method: 'PUT',
      path: '/segments/:documentId',
      handler: 'segments.update',
      config: { policies: can(ACTIONS.manage) },
    },
    {
      method: 'DELETE',
      path: '/segments/:documentId',
      handler: 'segments.delete',
      config: { policies: can(ACTIONS.manage) },
    },
  ],
};
