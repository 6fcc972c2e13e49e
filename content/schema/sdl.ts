/**
 * The typed content part of the schema, as SDL text built from a `ModelPlan`: one object type per
 * content type and component, an enum per enumeration, a union per dynamic zone, a filter input
 * per personalizable collection type, and the query fields that `extend type Query`.
 */
import { filtersInputName } from '../naming';
import type { FieldPlan, ModelPlan, RootPlan, TypePlan } from '../model';

/** GraphQL type of a field, as written in SDL. */
function fieldType(field: FieldPlan, types: ModelPlan['types']): string {
  switch (field.kind) {
    case 'scalar':
      return field.type;
    case 'enum':
      return field.enumType;
    case 'media':
      return field.multiple ? '[UploadFile!]!' : 'UploadFile';
    case 'component': {
      const name = types.get(field.component)!.typeName;
      return field.repeatable ? `[${name}!]!` : name;
    }
    case 'dynamiczone':
      return `[${field.union}!]!`;
    case 'relation': {
      const name = types.get(field.target)!.typeName;
      return field.many ? `[${name}!]!` : name;
    }
  }
}

/** SDL string literal (a description). */
function describe(text: string): string {
  return JSON.stringify(text);
}

function objectType(plan: TypePlan, isContentType: boolean, types: ModelPlan['types']): string {
  const lines: string[] = [];
  if (isContentType) {
    lines.push('  documentId: ID!', '  locale: String', '  publishedAt: DateTime', '  updatedAt: DateTime');
  } else {
    lines.push('  id: ID');
  }
  for (const field of plan.fields) lines.push(`  ${field.name}: ${fieldType(field, types)}`);
  if (plan.tagField) {
    lines.push(`  ${describe('Which of your segments chose this item, or that it is a fallback.')}`);
    lines.push('  personalization: Personalization!');
  }
  return `${describe(`\`${plan.uid}\``)}\ntype ${plan.typeName} {\n${lines.join('\n')}\n}`;
}

/** Attributes usable in filters, with the filter input each takes. */
export function filterableFields(plan: TypePlan): Array<{ name: string; input: string; argType: string }> {
  const result: Array<{ name: string; input: string; argType: string }> = [];
  for (const field of plan.fields) {
    if (field.kind === 'scalar' && field.filter)
      result.push({
        name: field.name,
        input: `${field.filter === 'Number' ? 'Number' : field.filter}FilterInput`,
        argType: field.type,
      });
    if (field.kind === 'enum')
      result.push({ name: field.name, input: 'StringFilterInput', argType: field.enumType });
  }
  return result;
}

function filtersInput(root: RootPlan): string {
  const lines = ['  documentId: StringFilterInput'];
  for (const field of filterableFields(root)) lines.push(`  ${field.name}: ${field.input}`);
  return `input ${filtersInputName(root.typeName)} {\n${lines.join('\n')}\n}`;
}

function queryFields(root: RootPlan): string[] {
  const { list, single } = root.queryFields;
  const locale = 'locale: String';
  if (root.kind === 'singleType') {
    return [
      `  ${describe(`The ${root.typeName} entry, with blocks filtered for your segments (null when it is tagged for segments you are not in).`)}`,
      `  ${single}(${locale}): ${root.typeName}`,
    ];
  }
  const filters = `filters: ${filtersInputName(root.typeName)}`;
  // Direct equality arguments make the common case short: `banner(placement: "home")`.
  const equalities = filterableFields(root).map((field) => `${field.name}: ${field.argType}`);
  return [
    `  ${describe(`${root.typeName} entries you may see: those tagged with your segments (best priority first), then untagged ones.`)}`,
    `  ${list}(${filters}, ${locale}, start: Int = 0, limit: Int = 100): [${root.typeName}!]!`,
    `  ${describe(`The best ${root.typeName} variant for you among the matching entries: tagged with your highest-priority segment, else the first untagged one.`)}`,
    `  ${single}(${[...equalities, filters, locale].join(', ')}): ${root.typeName}`,
  ];
}

/** The content SDL for a plan (empty when nothing is personalizable). */
export function contentTypeDefs(plan: ModelPlan): string {
  const parts: string[] = [];
  const roots = new Set(plan.roots.map((root) => root.uid));
  const contentTypeUids = new Set(
    [...plan.types.values()].filter((type) => type.uid.startsWith('api::')).map((type) => type.uid),
  );
  for (const type of plan.types.values()) {
    parts.push(objectType(type, contentTypeUids.has(type.uid), plan.types));
    for (const field of type.fields) {
      if (field.kind === 'enum') parts.push(`enum ${field.enumType} {\n  ${field.values.join('\n  ')}\n}`);
      if (field.kind === 'dynamiczone') {
        const members = field.components.map((uid) => plan.types.get(uid)!.typeName);
        parts.push(`union ${field.union} = ${members.join(' | ')}`);
      }
    }
  }
  const fields: string[] = [];
  for (const root of plan.roots) {
    if (roots.has(root.uid) && root.kind === 'collectionType') parts.push(filtersInput(root));
    fields.push(...queryFields(root));
  }
  if (fields.length > 0) parts.push(`extend type Query {\n${fields.join('\n')}\n}`);
  return parts.join('\n\n');
}
