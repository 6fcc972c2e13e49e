/**
 * The in-memory snapshot of published personalizable content: the model's plan and, per
 * personalizable content type, its published documents by locale. Requests read only this; it is
 * loaded at start-up and replaced (never mutated) when content changes, so a request always sees
 * one consistent version.
 */
import { planModel, type ModelPlan, type ReservedNames } from './model';
import type { ContentDocument, ContentModel, ContentSource } from './types';

/** Key of documents without a locale in a localized type, and of every document of other types. */
const ANY_LOCALE = '*';

export interface SnapshotOptions {
  /** Locale served when a query names none (localized types only). Default `en`, as Strapi's i18n. */
  defaultLocale?: string;
  /** Names of the static schema that content must not take (see `planModel`). */
  reserved?: ReservedNames;
}

export class ContentSnapshot {
  private constructor(
    readonly model: ContentModel,
    readonly plan: ModelPlan,
    readonly defaultLocale: string,
    private readonly byType: ReadonlyMap<string, ReadonlyMap<string, readonly ContentDocument[]>>,
  ) {}

  /** Loads the model and every personalizable type's published documents from `source`. */
  static async load(source: ContentSource, options: SnapshotOptions = {}): Promise<ContentSnapshot> {
    const model = await source.loadModel();
    const plan = planModel(model, options.reserved);
    const byType = new Map<string, ReadonlyMap<string, readonly ContentDocument[]>>();
    await Promise.all(
      plan.roots.map(async (root) => {
        byType.set(root.uid, index(await source.loadDocuments(root.uid), root.localized));
      }),
    );
    return new ContentSnapshot(model, plan, options.defaultLocale ?? 'en', byType);
  }

  /**
   * A new snapshot with these types' documents replaced (reloaded from `source`, all at once);
   * uids that are not personalizable types of this snapshot are ignored.
   */
  async reload(source: ContentSource, uids: readonly string[]): Promise<ContentSnapshot> {
    const roots = this.plan.roots.filter((root) => uids.includes(root.uid));
    if (roots.length === 0) return this;
    const byType = new Map(this.byType);
    await Promise.all(
      roots.map(async (root) => {
        byType.set(root.uid, index(await source.loadDocuments(root.uid), root.localized));
      }),
    );
    return new ContentSnapshot(this.model, this.plan, this.defaultLocale, byType);
  }

  /** Whether `uid` is a personalizable content type of this snapshot. */
  has(uid: string): boolean {
    return this.byType.has(uid);
  }

  /**
   * Published documents of `uid` in `locale` (the default locale when null/absent); for types that
   * are not localized, every document whatever the locale asked.
   */
  documents(uid: string, locale?: string | null): readonly ContentDocument[] {
    const locales = this.byType.get(uid);
    if (!locales) return [];
    if (locales.has(ANY_LOCALE) && locales.size === 1) return locales.get(ANY_LOCALE)!;
    return locales.get(locale ?? this.defaultLocale) ?? [];
  }

  /** Personalizable types whose documents embed documents of `uid` through a relation. */
  typesRelatedTo(uid: string): string[] {
    return this.plan.roots
      .filter((root) => root.fields.some((field) => field.kind === 'relation' && field.target === uid))
      .map((root) => root.uid);
  }

  /** Number of documents held, all types and locales (for logs and metrics). */
  get size(): number {
    let total = 0;
    for (const locales of this.byType.values())
      for (const documents of locales.values()) total += documents.length;
    return total;
  }
}

/** Groups documents by locale, dropping anything that is not published (a source bug must not leak drafts). */
function index(
  documents: ContentDocument[],
  localized: boolean,
): ReadonlyMap<string, readonly ContentDocument[]> {
  const byLocale = new Map<string, ContentDocument[]>();
  for (const document of documents) {
    if (document === null || typeof document !== 'object' || typeof document.documentId !== 'string')
      continue;
    if ('publishedAt' in document && !document.publishedAt) continue;
    const key = localized ? (document.locale ?? ANY_LOCALE) : ANY_LOCALE;
    let list = byLocale.get(key);
    if (!list) byLocale.set(key, (list = []));
    list.push(document);
  }
  if (byLocale.size === 0) byLocale.set(ANY_LOCALE, []);
  return byLocale;
}
