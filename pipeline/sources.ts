// Input listing (files, folders, globs — local or S3) and the mapping from raw records to documents.
import picomatch from 'picomatch';
import type { Doc, Storage } from './types.ts';
import type { SourceConfig } from './manifest-schema.ts';
import { detectFormat, type InputFormat } from './formats/readers.ts';
import { isRemote } from './storage.ts';

export interface InputFile {
  source: string;
  uri: string;
  /** Path relative to the source's root: the `source_file` provenance (portable between local and S3 copies). */
  rel: string;
  size: number;
  format: InputFormat;
  /** The store's ETag at listing time (S3), to detect an object replaced between listing and reading. */
  etag?: string;
}

const GLOB_CHARS = /[*?[\]{}]/;

function splitGlob(uri: string): { base: string; pattern: string | null } {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?/i.exec(uri)?.[0] ?? '';
  const parts = uri.slice(scheme.length).split('/');
  const i = parts.findIndex((p) => GLOB_CHARS.test(p));
  if (i < 0) return { base: uri, pattern: null };
  return { base: scheme + parts.slice(0, i).join('/'), pattern: parts.slice(i).join('/') };
}

function relTo(base: string, uri: string): string {
  const b = base.replace(/\/+$/, '');
  if (uri === b) return uri.split('/').pop()!;
  return uri.startsWith(b + '/') ? uri.slice(b.length + 1) : uri;
}

/** Lists a source's files, sorted, with formats resolved. Errors say which source and pattern found nothing. */
export async function listSource(storage: Storage, src: SourceConfig, baseDir: string): Promise<InputFile[]> {
  const uris = Array.isArray(src.uri) ? src.uri : [src.uri];
  const out: InputFile[] = [];
  for (const u of uris) {
    const full = storage.resolve(baseDir, u);
    const { base, pattern } = splitGlob(full);
    const match = pattern ? picomatch(pattern, { dot: false }) : null;
    let found = 0;
    for await (const f of storage.list(base)) {
      const rel = relTo(base, f.uri);
      if (match && !match(rel)) continue;
      const fmt = src.format === 'auto' ? detectFormat(f.uri) : src.format;
      if (!fmt) {
        if (match) throw new Error(`source "${src.name}": cannot tell the format of ${f.uri} from its name; set \`format:\` on the source.`);
        continue; // a folder may hold READMEs and such
      }
      if (f.size === 0 && fmt === 'parquet') throw new Error(`source "${src.name}": ${f.uri} is empty (0 bytes), not a Parquet file.`);
      // provenance keeps the folder/glob-relative path, prefixed by the pattern's root name when a list mixes roots
      out.push({ source: src.name, uri: f.uri, rel: uris.length > 1 ? `${uris.indexOf(u)}/${rel}` : rel, size: f.size, format: fmt, ...(f.etag ? { etag: f.etag } : {}) });
      found++;
    }
    if (found === 0) {
      const where = isRemote(full) ? full : full;
      throw new Error(`source "${src.name}": no input files match ${where}. Check the path (relative paths start from the manifest's folder) and the file extensions (.jsonl, .jsonl.gz, .jsonl.zst, .parquet).`);
    }
  }
  out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  return out;
}

export type MapResult = { doc: Doc } | { error: string };

/** Builds a document from an input record, or says precisely why the record is unusable. */
export function recordToDoc(rec: Record<string, unknown>, row: number, file: InputFile, src: SourceConfig): MapResult {
  const text = rec[src.text_field];
  if (text === undefined || text === null) return { error: `field "${src.text_field}" is missing${Object.keys(rec).length ? ` (fields present: ${Object.keys(rec).slice(0, 8).join(', ')})` : ''}; set \`text_field\` on source "${src.name}"` };
  if (typeof text !== 'string') return { error: `field "${src.text_field}" is a ${Array.isArray(text) ? 'list' : typeof text}, not a string` };
  const upstream = src.id_field ? rec[src.id_field] : undefined;
  const id = typeof upstream === 'string' || typeof upstream === 'number' ? String(upstream) : `${src.name}/${file.rel}/${row}`;
  let meta: Record<string, unknown> = {};
  if (src.metadata === 'all') {
    for (const k in rec) if (k !== src.text_field && k !== src.id_field) meta[k] = rec[k];
  } else if (Array.isArray(src.metadata)) {
    for (const k of src.metadata) if (k in rec) meta[k] = rec[k];
  } else meta = {};
  return { doc: { id, text, source: src.name, shard: file.rel, row, meta, cols: {} } };
}
