import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { manifestDoc, stagesDoc } from '../../pipeline/docs-gen.ts';

// docs/manifest.md and docs/stages.md are generated from the schemas; stale docs fail here.
test('docs/manifest.md matches the manifest schema (regenerate: node pipeline/docs-gen.ts)', () => {
  assert.equal(readFileSync(new URL('../../docs/manifest.md', import.meta.url), 'utf8'), manifestDoc());
});

test('docs/stages.md matches the stage registry (regenerate: node pipeline/docs-gen.ts)', () => {
  assert.equal(readFileSync(new URL('../../docs/stages.md', import.meta.url), 'utf8'), stagesDoc());
});
