// Turns a stage's zod parameter schema into rows for `curate list` and the docs (dolma's one schema, many uses).
import { z } from 'zod';

export interface ParamRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

function typeName(s: z.ZodType): string {
  const j = (() => { try { return z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>; } catch { return {}; } })();
  const t = (x: Record<string, unknown>): string => {
    if (Array.isArray(x.enum)) return (x.enum as unknown[]).map((v) => JSON.stringify(v)).join('|');
    if (Array.isArray(x.anyOf)) return (x.anyOf as Record<string, unknown>[]).map(t).join('|');
    if (x.type === 'array') return `${t((x.items as Record<string, unknown>) ?? {})}[]`;
    if (typeof x.type === 'string') return x.type;
    if (x.const !== undefined) return JSON.stringify(x.const);
    return 'any';
  };
  return t(j);
}

export function describeParams(schema: z.ZodType): ParamRow[] {
  const json = (() => { try { return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as { properties?: Record<string, Record<string, unknown>> }; } catch { return {}; } })();
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    type: shape[name] ? typeName(shape[name]) : String(p.type ?? 'any'),
    default: p.default === undefined ? '—' : JSON.stringify(p.default),
    description: String(p.description ?? ''),
  }));
}
