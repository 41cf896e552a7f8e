import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr, ExprError, type ValueKind } from '../../pipeline/expr.ts';
import { makeDoc } from '../../pipeline/testing.ts';

const cols: Record<string, ValueKind> = { id: 'string', source: 'string', text: 'string', n: 'number', label: 'string', ok: 'bool', spans: 'any' };

test('evaluates comparisons, boolean logic and arithmetic', () => {
  const d = makeDoc('hello', { cols: { n: 60, label: 'High', ok: true } });
  assert.equal(compileExpr('n >= 50 and label == "High"', cols).test(d), true);
  assert.equal(compileExpr('n >= 50 and not ok', cols).test(d), false);
  assert.equal(compileExpr('n * 2 - 20 == 100 or false', cols).test(d), true);
  assert.equal(compileExpr('label in ["High", "Medium"]', cols).test(d), true);
  assert.equal(compileExpr('label not in ["High"]', cols).test(d), false);
  assert.equal(compileExpr('len(text) == 5 && source == "test"', cols).test(d), true);
  assert.equal(compileExpr('n > .5e2', cols).test(d), true);
});

test('a comparison with a missing value is false', () => {
  const d = makeDoc('x', { cols: {} });
  assert.equal(compileExpr('n >= 0', cols).test(d), false);
  assert.equal(compileExpr('n < 0', cols).test(d), false);
  assert.equal(compileExpr('n == null', cols).test(d), true);
});

test('document-level RPv2 spans compare by their score', () => {
  const d = makeDoc('x', { cols: { spans: [[0, 10, 42]] } });
  assert.equal(compileExpr('spans >= 40', cols).test(d), true);
});

test('rejects unknown columns with a suggestion, type errors and syntax errors', () => {
  assert.throws(() => compileExpr('nn >= 3', cols, (n) => (n === 'nn' ? 'n' : undefined)), /unknown column "nn" — did you mean "n"/);
  assert.throws(() => compileExpr('label >= 3', cols), /cannot compare string with number/);
  assert.throws(() => compileExpr('n >= ', cols), ExprError);
  assert.throws(() => compileExpr('n >= 3 3', cols), /unexpected "3"/);
  assert.throws(() => compileExpr('foo(n)', cols), /unknown function "foo"/);
  assert.throws(() => compileExpr('label == 3', cols), /never equal/);
});

test('never evaluates JavaScript', () => {
  assert.throws(() => compileExpr('process.exit(1)', cols), ExprError);
  assert.throws(() => compileExpr('constructor.constructor("return 1")()', cols), ExprError);
});
