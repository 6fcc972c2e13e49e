/**
 * GraphQL names for Strapi content types, components and attributes, following the conventions of
 * Strapi's own GraphQL plugin (`Banner`, `ComponentBlocksHero`, `ENUM_BANNER_THEME`,
 * `HomePageBlocksDynamicZone`), so front-end code reads the same against either endpoint.
 */
import type { ComponentSchema, ContentTypeSchema } from './types';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Whether `name` can be used as a GraphQL name (field, type, argument). */
export function isGraphQLName(name: string): boolean {
  return GRAPHQL_NAME.test(name) && !name.startsWith('__');
}

/** Whether `value` can be a GraphQL enum value (a name, but not `true`, `false` or `null`). */
export function isEnumValueName(value: string): boolean {
  return isGraphQLName(value) && value !== 'true' && value !== 'false' && value !== 'null';
}

/** `home-page` / `home_page` / `homePage` -> `HomePage`. */
export function pascalCase(text: string): string {
  return text
    .split(/[^0-9A-Za-z]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `home-page` -> `homePage`. */
export function camelCase(text: string): string {
  const pascal = pascalCase(text);
  return pascal.length === 0 ? pascal : pascal[0]!.toLowerCase() + pascal.slice(1);
}

/** Object type of a content type: `api::home-page.home-page` (singularName `home-page`) -> `HomePage`. */
export function contentTypeName(type: ContentTypeSchema): string {
  return pascalCase(type.info.singularName);
}

/** Object type of a component: `blocks.hero` -> `ComponentBlocksHero`. */
export function componentTypeName(component: Pick<ComponentSchema, 'uid'>): string {
  const [category = '', name = ''] = component.uid.split('.');
  return `Component${pascalCase(category)}${pascalCase(name)}`;
}

/** Enum type of an enumeration attribute: `ENUM_BANNER_THEME`, `ENUM_COMPONENTBLOCKSHERO_THEME`. */
export function enumTypeName(ownerTypeName: string, attribute: string): string {
  return `ENUM_${ownerTypeName.toUpperCase()}_${attribute.toUpperCase()}`;
}

/** Union type of a dynamic zone: `HomePageBlocksDynamicZone`. */
export function dynamicZoneTypeName(ownerTypeName: string, attribute: string): string {
  return `${ownerTypeName}${pascalCase(attribute)}DynamicZone`;
}

/** Filter input of a collection type: `BannerFiltersInput`. */
export function filtersInputName(ownerTypeName: string): string {
  return `${ownerTypeName}FiltersInput`;
}

/** Query field of a collection type's list (`banners`) and of its best variant or a single type (`banner`, `homePage`). */
export function queryFieldNames(type: ContentTypeSchema): { list: string; single: string } {
  return { list: camelCase(type.info.pluralName), single: camelCase(type.info.singularName) };
}
