/**
 * The plugin's admin permissions (RBAC actions). Reading segments lets an editor see audiences,
 * member counts and previews, and pick segments in the tags field; managing them lets a user create,
 * edit, enable, disable and delete segments and scores. Strapi's Author role gets neither by default:
 * a super admin grants them in Settings → Roles → Plugins → Personalize. Managing API keys (list,
 * create, rotate, revoke the keys a site's backend calls the server API with) is a separate action:
 * a key can write the traits rules trust, so it is nobody's by default but the super admin's.
 */
export const ACTIONS = {
  read: 'plugin::personalize.segments.read',
  manage: 'plugin::personalize.segments.manage',
  manageApiKeys: 'plugin::personalize.api-keys.manage',
} as const;

/** The action definitions registered with `admin::permission`'s action provider in bootstrap. */
export const permissionActions = [
  { section: 'plugins', displayName: 'Read segments', uid: 'segments.read', pluginName: 'personalize' },
  {
    section: 'plugins',
    displayName: 'Manage segments and rules',
    uid: 'segments.manage',
    pluginName: 'personalize',
  },
  {
    section: 'plugins',
    displayName: 'Manage server API keys',
    uid: 'api-keys.manage',
    pluginName: 'personalize',
  },
];
