/**
 * Reads a Strapi content model and decides what the typed GraphQL layer exposes: which content
 * types are personalizable (they carry segment tags themselves or in a component or dynamic-zone
 * block), and for every type it needs, how each attribute maps to a field. Pure: no GraphQL here,
 * only the plan that content/schema/ turns into types and resolvers.
 *
 * Left out, on purpose: `private` attributes and passwords (never served), relations to anything
 * but `api::` content types (users, admin and plugin data are not content), morph relations, and
 * attributes whose names are not GraphQL names. Each omission is reported in `warnings`.
 */
import {
  componentTypeName,
  contentTypeName,
  dynamicZoneTypeName,
  enumTypeName,
  isEnumValueName,
  isGraphQLName,
  queryFieldNames,
} from './naming';
import {
  SEGMENTS_FIELD,
  type AttributeSchema,
  type ComponentSchema,
  type ContentModel,
  type ContentTypeSchema,
} from './types';

/** Scalar GraphQL types attributes map to. */
export type ScalarName = 'String' | 'Int' | 'Float' | 'Boolean' | 'JSON' | 'DateTime';

/** Which filter input a field accepts in `filters` (null: not filterable). */
export type FilterKind = 'String' | 'Number' | 'Boolean';

/** How one attribute becomes one field. */
export type FieldPlan =
  | { kind: 'scalar'; name: string; type: ScalarName; filter: FilterKind | null }
  | { kind: 'enum'; name: string; enumType: string; values: string[] }
  | { kind: 'media'; name: string; multiple: boolean }
  | { kind: 'component'; name: string; component: string; repeatable: boolean }
  | { kind: 'dynamiczone'; name: string; union: string; components: string[] }
  | { kind: 'relation'; name: string; target: string; many: boolean };

/** One GraphQL object type: a content type or a component. */
export interface TypePlan {
  uid: string;
  typeName: string;
  /** The attribute holding segment tags, if the type has one. */
  tagField: string | null;
  fields: FieldPlan[];
}

/** A content type with query fields: it carries segment tags, directly or in components. */
export interface RootPlan extends TypePlan {
  kind: 'collectionType' | 'singleType';
  /** `banners` and `banner` for collection types; `single` only is used for single types. */
  queryFields: { list: string; single: string };
  localized: boolean;
}

export interface ModelPlan {
  /** Every type the schema needs (roots, their components, relation targets), by uid. */
  types: Map<string, TypePlan>;
  /** The personalizable content types, in model order. */
  roots: RootPlan[];
  /** What was left out and why, for the log. */
  warnings: string[];
}

/** Field names the layer adds itself; attributes with these names are left out. */
export const RESERVED_FIELDS = new Set([
  'documentId',
  'locale',
  'publishedAt',
  'updatedAt',
  'personalization',
]);

const TEXT_KINDS = new Set(['string', 'text', 'richtext', 'email', 'uid']);
const MANY_RELATIONS = new Set(['oneToMany', 'manyToMany', 'manyWay']);
const ONE_RELATIONS = new Set(['oneToOne', 'manyToOne', 'oneWay']);

/** Whether an attribute is the segment tags custom field. */
export function isTagAttribute(attribute: AttributeSchema): boolean {
  return attribute.customField === SEGMENTS_FIELD;
}

/** Names the static schema already uses, which content must not take. */
export interface ReservedNames {
  /** Type names (`Profile`, `Segment`...): a content type or component named so gets a `Content` suffix. */
  typeNames: ReadonlySet<string>;
  /** Query fields (`me`, `segments`): a content type whose query field would clash is not served. */
  queryFields: ReadonlySet<string>;
}

const NO_RESERVED: ReservedNames = { typeNames: new Set(), queryFields: new Set() };

/** Builds the plan for a model. Never throws on odd attributes: it leaves them out and says so. */
export function planModel(model: ContentModel, reserved: ReservedNames = NO_RESERVED): ModelPlan {
  const unclash = (typeName: string): string =>
    reserved.typeNames.has(typeName) ? `${typeName}Content` : typeName;
  const usedQueryFields = new Set(reserved.queryFields);
  const contentTypes = new Map(model.contentTypes.map((type) => [type.uid, type]));
  const components = new Map(model.components.map((component) => [component.uid, component]));
  const warnings: string[] = [];
  const carriesTags = tagCarrierCheck(components);

  const roots: RootPlan[] = [];
  const types = new Map<string, TypePlan>();
  const pending: string[] = [];

  const want = (uid: string): void => {
    if (!types.has(uid) && !pending.includes(uid)) pending.push(uid);
  };

  for (const type of model.contentTypes) {
    if (!type.uid.startsWith('api::')) continue;
    if (!carriesTags(type.attributes, new Set())) continue;
    const queryFields = queryFieldNames(type);
    const fieldNames =
      type.kind === 'singleType' ? [queryFields.single] : [queryFields.list, queryFields.single];
    const clash = fieldNames.find((name) => usedQueryFields.has(name) || !isGraphQLName(name));
    if (clash !== undefined) {
      warnings.push(`${type.uid}: not served (query field "${clash}" is taken or not a GraphQL name)`);
      continue;
    }
    fieldNames.forEach((name) => usedQueryFields.add(name));
    const root: RootPlan = {
      ...planType(
        type.uid,
        unclash(contentTypeName(type)),
        type.attributes,
        contentTypes,
        components,
        warnings,
        want,
      ),
      kind: type.kind,
      queryFields,
      localized: type.pluginOptions?.i18n?.localized === true,
    };
    roots.push(root);
    types.set(type.uid, root);
  }

  while (pending.length > 0) {
    const uid = pending.shift()!;
    if (types.has(uid)) continue;
    const component = components.get(uid);
    const contentType = contentTypes.get(uid);
    if (component) {
      types.set(
        uid,
        planType(
          uid,
          unclash(componentTypeName(component)),
          component.attributes,
          contentTypes,
          components,
          warnings,
          want,
        ),
      );
    } else if (contentType) {
      types.set(
        uid,
        planType(
          uid,
          unclash(contentTypeName(contentType)),
          contentType.attributes,
          contentTypes,
          components,
          warnings,
          want,
        ),
      );
    }
  }
  return { types, roots, warnings };
}

/** "Do these attributes carry tags, directly or through components?", walking components anew each call (cycles guarded). */
function tagCarrierCheck(
  components: Map<string, ComponentSchema>,
): (attributes: Record<string, AttributeSchema>, seen: Set<string>) => boolean {
  const check = (attributes: Record<string, AttributeSchema>, seen: Set<string>): boolean =>
    Object.values(attributes).some((attribute) => {
      if (isTagAttribute(attribute)) return true;
      const nested =
        attribute.type === 'component' && attribute.component
          ? [attribute.component]
          : attribute.type === 'dynamiczone'
            ? (attribute.components ?? [])
            : [];
      return nested.some((uid) => {
        const component = components.get(uid);
        if (!component || seen.has(uid)) return false;
        return check(component.attributes, new Set([...seen, uid]));
      });
    });
  return check;
}

function planType(
  uid: string,
  typeName: string,
  attributes: Record<string, AttributeSchema>,
  contentTypes: Map<string, ContentTypeSchema>,
  components: Map<string, ComponentSchema>,
  warnings: string[],
  want: (uid: string) => void,
): TypePlan {
  const fields: FieldPlan[] = [];
  let tagField: string | null = null;
  for (const [name, attribute] of Object.entries(attributes)) {
    const where = `${uid}.${name}`;
    if (isTagAttribute(attribute)) {
      tagField ??= name;
      continue;
    }
    if (attribute.private === true || attribute.type === 'password') continue;
    if (!isGraphQLName(name) || RESERVED_FIELDS.has(name)) {
      warnings.push(`${where}: left out (not a usable GraphQL field name)`);
      continue;
    }
    const field = planField(name, typeName, attribute, contentTypes, components, (reason) =>
      warnings.push(`${where}: left out (${reason})`),
    );
    if (!field) continue;
    if (field.kind === 'component') want(field.component);
    if (field.kind === 'dynamiczone') field.components.forEach(want);
    if (field.kind === 'relation') want(field.target);
    fields.push(field);
  }
  return { uid, typeName, tagField, fields };
}

function planField(
  name: string,
  ownerTypeName: string,
  attribute: AttributeSchema,
  contentTypes: Map<string, ContentTypeSchema>,
  components: Map<string, ComponentSchema>,
  skip: (reason: string) => void,
): FieldPlan | null {
  const scalar = (type: ScalarName, filter: FilterKind | null): FieldPlan => ({
    kind: 'scalar',
    name,
    type,
    filter,
  });
  const { type } = attribute;
  if (TEXT_KINDS.has(type)) return scalar('String', 'String');
  switch (type) {
    case 'blocks':
    case 'json':
      return scalar('JSON', null);
    case 'integer':
      return scalar('Int', 'Number');
    case 'float':
    case 'decimal':
      return scalar('Float', 'Number');
    // Beyond 2^31 and exact only as text: Strapi's document service returns bigintegers as strings too.
    case 'biginteger':
      return scalar('String', 'String');
    case 'boolean':
      return scalar('Boolean', 'Boolean');
    case 'datetime':
      return scalar('DateTime', 'String');
    case 'date':
    case 'time':
      return scalar('String', 'String');
    case 'enumeration': {
      const values = attribute.enum ?? [];
      // Values like `top-left` are legal in Strapi but not as GraphQL enum values: serve them as text.
      if (values.length === 0 || !values.every(isEnumValueName)) return scalar('String', 'String');
      return { kind: 'enum', name, enumType: enumTypeName(ownerTypeName, name), values };
    }
    case 'media':
      return { kind: 'media', name, multiple: attribute.multiple === true };
    case 'component':
      if (!attribute.component || !components.has(attribute.component)) {
        skip(`unknown component ${String(attribute.component)}`);
        return null;
      }
      return {
        kind: 'component',
        name,
        component: attribute.component,
        repeatable: attribute.repeatable === true,
      };
    case 'dynamiczone': {
      const known = (attribute.components ?? []).filter((uid) => components.has(uid));
      if (known.length === 0) {
        skip('dynamic zone without known components');
        return null;
      }
      return {
        kind: 'dynamiczone',
        name,
        union: dynamicZoneTypeName(ownerTypeName, name),
        components: known,
      };
    }
    case 'relation': {
      const target = attribute.target;
      const relation = attribute.relation ?? '';
      if (!target || !target.startsWith('api::') || !contentTypes.has(target)) {
        skip(`relation to ${String(target)} (only api:: content types are served)`);
        return null;
      }
      if (!MANY_RELATIONS.has(relation) && !ONE_RELATIONS.has(relation)) {
        skip(`relation kind ${relation}`);
        return null;
      }
      return { kind: 'relation', name, target, many: MANY_RELATIONS.has(relation) };
    }
    default:
      skip(`attribute type ${type}`);
      return null;
  }
}
