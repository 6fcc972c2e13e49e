/**
 * A `ContentSource` over JSON files, for the standalone server and tests: a directory holding
 *
 *   model.json      { contentTypes: ContentTypeSchema[], components: ComponentSchema[] }
 *   documents.json  { [contentTypeUid]: ContentDocument[] }   (published documents only)
 *
 * the layout `example-site/seed/fixtures.ts` writes. Files are read on each load, so editing them
 * and calling `notify` (or passing `watch: true`) is how content "changes" outside Strapi.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentChange, ContentDocument, ContentModel, ContentSource } from './types';

export interface JsonContentSourceOptions {
  /** Re-read and announce a `model` change when a file of the directory changes. Default false. */
  watch?: boolean;
}

export class JsonContentSource implements ContentSource {
  private readonly listeners = new Set<(change: ContentChange) => void>();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly directory: string,
    options: JsonContentSourceOptions = {},
  ) {
    if (options.watch) {
      this.watcher = watch(directory, () => {
        clearTimeout(this.debounce);
        // Editors save files in several writes: announce once they settle.
        this.debounce = setTimeout(() => this.notify({ kind: 'model' }), 100);
      });
      this.watcher.unref();
    }
  }

  async loadModel(): Promise<ContentModel> {
    const model = await this.readJson('model.json');
    if (!isRecord(model) || !Array.isArray(model.contentTypes) || !Array.isArray(model.components))
      throw new Error(`${join(this.directory, 'model.json')}: expected { contentTypes: [], components: [] }`);
    return model as unknown as ContentModel;
  }

  async loadDocuments(uid: string): Promise<ContentDocument[]> {
    const documents = await this.readJson('documents.json');
    if (!isRecord(documents))
      throw new Error(
        `${join(this.directory, 'documents.json')}: expected an object of arrays by content type uid`,
      );
    const list = documents[uid] ?? [];
    if (!Array.isArray(list))
      throw new Error(`${join(this.directory, 'documents.json')}: "${uid}" is not an array`);
    return list as ContentDocument[];
  }

  onChange(listener: (change: ContentChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces a change to the listeners (after the files were edited). */
  notify(change: ContentChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Stops watching the directory. */
  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  private async readJson(name: string): Promise<unknown> {
    const path = join(this.directory, name);
    const text = await readFile(path, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`${path}: invalid JSON (${(error as Error).message})`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
