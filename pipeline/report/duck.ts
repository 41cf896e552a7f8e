// A small DuckDB session for the report: SQL in, JSON-safe rows out.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type Row = Record<string, unknown>;

const TIMING = Boolean(process.env.CURATE_REPORT_TIMING);

export class Duck {
  private readonly con: DuckDBConnection;
  private constructor(con: DuckDBConnection) {
    this.con = con;
  }

  static async open(threads?: number): Promise<Duck> {
    const db = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
    return new Duck(await db.connect());
  }

  /** Rows with BIGINT/HUGEINT as numbers, DECIMAL as numbers, everything else as JSON values. */
  async all<T = Row>(sql: string): Promise<T[]> {
    const t0 = TIMING ? process.cpuUsage() : null;
    const r = await this.con.runAndReadAll(sql);
    if (t0) { const c = process.cpuUsage(t0); console.error(`[duck ${((c.user + c.system) / 1e6).toFixed(2)} CPU s] ${sql.replace(/\s+/g, ' ').slice(0, 160)}`); }
    const rows = r.getRowObjects();
    return rows.map((o) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(o)) out[k] = plain(v);
      return out as T;
    });
  }

  async run(sql: string): Promise<void> {
    await this.con.run(sql);
  }

  close(): void {
    this.con.closeSync();
  }
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain);
  const o = v as { items?: unknown[]; toDouble?: () => number; toString(): string };
  if (Array.isArray(o.items)) return o.items.map(plain);
  if (typeof o.toDouble === 'function') return o.toDouble();
  return o.toString();
}

/** SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** SQL identifier. */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** A list of file paths as a DuckDB list literal. */
export function fileList(files: string[]): string {
  return `[${files.map(lit).join(', ')}]`;
}
