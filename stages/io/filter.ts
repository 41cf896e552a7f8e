// `filter`: keep documents for which a typed expression over columns is true; the rest are dropped with a reason.
import { z } from 'zod';
import { defineStage } from '../../pipeline/types.ts';
import { compileExpr, type ValueKind } from '../../pipeline/expr.ts';

const params = z.strictObject({
  expr: z.string().min(1).describe('Keep documents for which this is true, e.g. `rps_doc_word_count >= 50 and int_score >= 3`. Operators: and or not == != < <= > >= + - * / in [..]; functions len(), abs(), lower(). A comparison with a missing value is false.'),
  reason: z.string().optional().describe('Drop reason recorded in the stats (default: `filter:<expr>`).'),
  sources: z.array(z.string()).optional().describe('Apply only to documents of these sources; others pass.'),
});

// At run time every column is accepted: the manifest check already typed the expression against the declarations.
const anyColumns = new Proxy({} as Record<string, ValueKind>, { get: () => 'any', has: () => true });

export const filterStage = defineStage({
  name: 'filter',
  family: 'filters',
  description: 'Keep documents matching an expression over columns; drop the rest with a reason.',
  params,
  reads: (p) => compileExpr(p.expr, anyColumns).columns,
  writes: () => [],
  create(p) {
    const expr = compileExpr(p.expr, anyColumns);
    const reason = p.reason ?? `filter:${p.expr}`;
    const only = p.sources ? new Set(p.sources) : null;
    return {
      name: 'filter',
      async *run(batches, ctx) {
        for await (const b of batches) {
          const kept = b.docs.filter((d) => {
            if (only && !only.has(d.source)) return true;
            if (expr.test(d)) return true;
            ctx.stats.drop(reason, d);
            return false;
          });
          if (kept.length) yield { docs: kept };
        }
      },
    };
  },
});
