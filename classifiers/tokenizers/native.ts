// A TypeScript implementation of Hugging Face tokenizers' encode() for BPE tokenizer.json files:
// added-token extraction -> normalizer -> pre-tokenizer -> BPE model (with a word cache) -> post-processor.
// Compiling a component it does not implement throws `Unsupported`; the loader then uses HF tokenizers instead.
import { BpeModel, type BpeJson } from './bpe.ts';
import { WordCache } from './cache.ts';
import { type AddedTokenJson, type ComponentJson, type TokenizerJson, Unsupported } from './json.ts';
import { compileNormalizer, type NormalizeFn } from './normalize.ts';
import {
  GPT2_PATTERN,
  LLAMA3_PATTERN,
  Pieces,
  QWEN2_PATTERN,
  type SplitBehavior,
  type Splitter,
  digitsSplitter,
  gpt2Splitter,
  llama3Splitter,
  mergedWithNextChar,
  qwen2Splitter,
  regexSplitter,
  translateRegex,
  whitespaceSplitSplitter,
} from './pretokenize.ts';

type Step =
  | { kind: 'split'; fn: Splitter }
  | { kind: 'prefix-space' }
  | { kind: 'metaspace'; rep: string; scheme: 'always' | 'first' | 'never'; split: boolean };

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const WS_CHAR = /\p{White_Space}/u;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Added tokens matched in one pass: leftmost match, longest among those starting there (like HF's trie). */
class AddedMatcher {
  private re: RegExp;
  private byContent = new Map<string, AddedTokenJson>();
  private firstChars: Set<number>;
  private simple: boolean;
  constructor(tokens: { pattern: string; tok: AddedTokenJson }[]) {
    const sorted = [...tokens].sort((a, b) => b.pattern.length - a.pattern.length);
    for (const t of sorted) if (!this.byContent.has(t.pattern)) this.byContent.set(t.pattern, t.tok);
    this.re = new RegExp(sorted.map((t) => escapeRe(t.pattern)).join('|'), 'gu');
    this.firstChars = new Set(sorted.map((t) => t.pattern.charCodeAt(0)));
    this.simple = sorted.every((t) => !t.tok.single_word && !t.tok.lstrip && !t.tok.rstrip);
  }
  /** Cheap test: could the text contain any added token? */
  mayContain(s: string): boolean {
    if (this.firstChars.size > 8) return true;
    for (const c of this.firstChars) if (s.indexOf(String.fromCharCode(c)) >= 0) return true;
    return false;
  }
  /**
   * Splits s into alternating plain ranges and token matches. Calls plain(start, end) / token(id) in order.
   * Returns false when nothing matched (then no callback was made).
   */
  split(s: string, plain: (start: number, end: number) => void, token: (id: number) => void): boolean {
    if (!this.mayContain(s)) return false;
    const re = this.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let offset = 0;
    let any = false;
    while ((m = re.exec(s)) !== null) {
      let start = m.index;
      let stop = start + m[0].length;
      const tok = this.byContent.get(m[0])!;
      if (!this.simple) {
        if (tok.single_word) {
          const startOk = start === 0 || !WORD_CHAR.test(lastChar(s, start));
          const stopOk = stop === s.length || !WORD_CHAR.test(String.fromCodePoint(s.codePointAt(stop)!));
          if (!startOk || !stopOk) continue;
        }
        if (tok.lstrip) {
          let k = start;
          while (k > offset && WS_CHAR.test(lastChar(s, k))) k -= lastChar(s, k).length;
          start = k;
        }
        if (tok.rstrip) {
          while (stop < s.length) {
            const ch = String.fromCodePoint(s.codePointAt(stop)!);
            if (!WS_CHAR.test(ch)) break;
            stop += ch.length;
          }
          re.lastIndex = stop;
        }
      }
      if (!any) any = true;
      if (offset < start) plain(offset, start);
      token(tok.id);
      offset = stop;
    }
    if (!any) return false;
    if (offset < s.length) plain(offset, s.length);
    return true;
  }
}

function lastChar(s: string, end: number): string {
  const c = s.charCodeAt(end - 1);
  if (c >= 0xdc00 && c <= 0xdfff && end >= 2) {
    const h = s.charCodeAt(end - 2);
    if (h >= 0xd800 && h <= 0xdbff) return s.slice(end - 2, end);
  }
  return s[end - 1];
}

export interface PostProcessor {
  pre: number[];
  post: number[];
}

export function compilePost(p: ComponentJson | null | undefined): PostProcessor {
  const none: PostProcessor = { pre: [], post: [] };
  if (p == null) return none;
  switch (p.type) {
    case 'ByteLevel':
      return none; // only adjusts offsets
    case 'TemplateProcessing': {
      const single = p.single as ({ SpecialToken: { id: string } } | { Sequence: { id: string } })[];
      const specials = p.special_tokens as Record<string, { ids: number[] }>;
      const out: PostProcessor = { pre: [], post: [] };
      let seen = false;
      for (const item of single) {
        if ('Sequence' in item) {
          if (item.Sequence.id !== 'A' || seen) throw new Unsupported('TemplateProcessing', 'single template with several sequences');
          seen = true;
        } else {
          const sp = specials[item.SpecialToken.id];
          if (!sp) throw new Error(`TemplateProcessing: special token ${item.SpecialToken.id} is not declared`);
          (seen ? out.post : out.pre).push(...sp.ids);
        }
      }
      return out;
    }
    case 'RobertaProcessing':
    case 'BertProcessing': {
      const cls = p.cls as [string, number];
      const sep = p.sep as [string, number];
      return { pre: [cls[1]], post: [sep[1]] };
    }
    case 'Sequence': {
      const out: PostProcessor = { pre: [], post: [] };
      for (const q of (p.processors as ComponentJson[]) ?? []) {
        const c = compilePost(q);
        // processors apply in order; each wraps the previous result
        out.pre = [...c.pre, ...out.pre];
        out.post = [...out.post, ...c.post];
      }
      return out;
    }
    default:
      throw new Unsupported(`${p.type} post-processor`);
  }
}

function compileSplit(p: ComponentJson): Splitter {
  const pat = p.pattern as { String?: string; Regex?: string };
  const behavior = p.behavior as SplitBehavior;
  if (p.invert) throw new Unsupported('Split pre-tokenizer', 'invert');
  if (pat.Regex !== undefined && behavior === 'Isolated') {
    if (pat.Regex === LLAMA3_PATTERN) return llama3Splitter;
    if (pat.Regex === QWEN2_PATTERN) return qwen2Splitter;
    if (pat.Regex === GPT2_PATTERN) return gpt2Splitter;
  }
  let re: RegExp | null;
  if (pat.String !== undefined) re = new RegExp(escapeRe(pat.String), 'gu');
  else re = translateRegex(pat.Regex ?? '');
  if (!re) throw new Unsupported('Split pre-tokenizer', `regex ${pat.Regex}`);
  if (!['Isolated', 'Removed', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'].includes(behavior)) {
    throw new Unsupported('Split pre-tokenizer', `behavior ${behavior}`);
  }
  return regexSplitter(re, behavior);
}

/** Returns the steps and whether the model sees byte-level (GPT-2 byte-mapped) input. */
function compilePre(p: ComponentJson | null | undefined, steps: Step[]): boolean {
  if (p == null) return false;
  switch (p.type) {
    case 'Sequence': {
      const list = (p.pretokenizers as ComponentJson[]) ?? [];
      let byteLevel = false;
      for (let i = 0; i < list.length; i++) {
        if (byteLevel) throw new Unsupported('pre-tokenizer Sequence', 'a pre-tokenizer after ByteLevel');
        byteLevel = compilePre(list[i], steps);
      }
      return byteLevel;
    }
    case 'ByteLevel':
      if (p.add_prefix_space === true) steps.push({ kind: 'prefix-space' });
      if (p.use_regex !== false) steps.push({ kind: 'split', fn: gpt2Splitter });
      return true;
    case 'Split':
      steps.push({ kind: 'split', fn: compileSplit(p) });
      return false;
    case 'Metaspace': {
      let scheme = (p.prepend_scheme as 'always' | 'first' | 'never' | undefined) ?? 'always';
      if (p.add_prefix_space === false) scheme = 'never';
      steps.push({ kind: 'metaspace', rep: String(p.replacement ?? '▁'), scheme, split: p.split !== false });
      return false;
    }
    case 'Digits':
      steps.push({ kind: 'split', fn: digitsSplitter(p.individual_digits === true) });
      return false;
    case 'WhitespaceSplit':
      steps.push({ kind: 'split', fn: whitespaceSplitSplitter });
      return false;
    default:
      throw new Unsupported(`${p.type} pre-tokenizer`);
  }
}

export interface EncodeOptions {
  /** Apply the post-processor (e.g. Llama 2's BOS). Default false. */
  addSpecialTokens?: boolean;
}

const CACHE_WORD_MAX = 256;

export class NativeBpeTokenizer {
  readonly model: BpeModel;
  readonly vocabSize: number;
  private normalize: NormalizeFn | null;
  private steps: Step[];
  private levels: Pieces[];
  private rawAdded: AddedMatcher | null = null;
  private normAdded: AddedMatcher | null = null;
  /** Ids the post-processor puts before / after the sequence when addSpecialTokens is set. */
  readonly template: PostProcessor;
  private cache = new WordCache();
  /** Words are cut from the raw text (see spmSegment). */
  private spmRaw = false;
  private added = new Map<string, number>();
  // output buffer
  private out = new Uint32Array(4096);
  private n = 0;

  constructor(json: TokenizerJson) {
    const m = json.model as ComponentJson;
    if (m.type !== 'BPE') throw new Unsupported(`${m.type} model`);
    this.normalize = compileNormalizer(json.normalizer);
    this.steps = [];
    const byteLevel = compilePre(json.pre_tokenizer, this.steps);
    this.model = new BpeModel(json.model as BpeJson, byteLevel);
    this.template = compilePost(json.post_processor);

    // SentencePiece-style vocabularies encode whole normalized segments as one word. When no token can straddle
    // the position before a '▁' that follows another character, splitting there gives the same ids and lets the
    // word cache work.
    if (!byteLevel && this.model.vocab.has('▁')) {
      let crossing = false;
      for (const tok of this.model.vocab.keys()) {
        for (let i = tok.indexOf('▁', 1); i > 0; i = tok.indexOf('▁', i + 1)) {
          if (tok[i - 1] !== '▁') {
            crossing = true;
            break;
          }
        }
        if (crossing) break;
      }
      if (!crossing) {
        this.steps.push({ kind: 'split', fn: boundaryBefore('▁') });
        // Llama 2 / Mistral shape: normalizer = Prepend('▁') + Replace(' ' -> '▁') and no pre-tokenizer. Then the
        // words can be cut from the raw text directly (a space or '▁' after another character starts a word), with
        // the raw word as cache key, instead of building the normalized copy of the whole document.
        const n = json.normalizer;
        const parts = n?.type === 'Sequence' ? (n.normalizers as ComponentJson[]) : [];
        this.spmRaw =
          json.pre_tokenizer == null &&
          parts.length === 2 &&
          parts[0].type === 'Prepend' &&
          parts[0].prepend === '▁' &&
          parts[1].type === 'Replace' &&
          (parts[1].pattern as { String?: string }).String === ' ' &&
          parts[1].content === '▁';
      }
    }
    this.levels = this.steps.map(() => new Pieces());

    let maxId = 0;
    for (const id of this.model.vocab.values()) if (id > maxId) maxId = id;
    const raw: { pattern: string; tok: AddedTokenJson }[] = [];
    const norm: { pattern: string; tok: AddedTokenJson }[] = [];
    // Ids as HF assigns them when loading (the "id" field is only checked there): an added token that is already in
    // the model vocabulary keeps that id, others get the next free id after the model vocabulary.
    let nextId = this.model.vocab.size;
    const byContent = new Map<string, AddedTokenJson>();
    for (const t0 of json.added_tokens ?? []) {
      if (t0.content === '') continue;
      const id = this.added.get(t0.content) ?? this.model.vocab.get(t0.content) ?? nextId++;
      this.added.set(t0.content, id);
      byContent.set(t0.content, { ...t0, id });
    }
    for (const t of byContent.values()) {
      if (t.id > maxId) maxId = t.id;
      if (t.normalized === false) raw.push({ pattern: t.content, tok: t });
      else norm.push({ pattern: this.normalize ? this.normalize(t.content) : t.content, tok: t });
    }
    if (raw.length) this.rawAdded = new AddedMatcher(raw);
    if (norm.length) this.normAdded = new AddedMatcher(norm.filter((t) => t.pattern !== ''));
    this.vocabSize = maxId + 1;
  }

  /** Id of a token (added tokens first, then the model vocabulary). */
  tokenToId(token: string): number | undefined {
    return this.added.get(token) ?? this.model.vocab.get(token);
  }

  encode(text: string, opts?: EncodeOptions): Uint32Array {
    this.n = 0;
    const special = opts?.addSpecialTokens === true;
    if (special) for (const id of this.template.pre) this.push(id);
    if (text.length > 0) {
      const matched =
        this.rawAdded !== null &&
        this.rawAdded.split(
          text,
          (a, b) => this.segment(text.slice(a, b), a === 0),
          (id) => this.push(id),
        );
      if (!matched) this.segment(text, true);
    }
    if (special) for (const id of this.template.post) this.push(id);
    return this.out.slice(0, this.n);
  }

  /** One piece of the input between raw added tokens: normalize, extract normalized added tokens, pre-tokenize. */
  private segment(s: string, first: boolean): void {
    if (this.spmRaw && this.normAdded === null) {
      this.spmSegment(s);
      return;
    }
    if (this.normalize) s = this.normalize(s);
    if (s.length === 0) return;
    const matched =
      this.normAdded !== null &&
      this.normAdded.split(
        s,
        (a, b) => this.pretokenize(s.slice(a, b), 0, first && a === 0),
        (id) => this.push(id),
      );
    if (!matched) this.pretokenize(s, 0, first);
  }

  private pretokenize(s: string, k: number, first: boolean): void {
    if (k === this.steps.length) {
      this.word(s, 0, s.length);
      return;
    }
    const step = this.steps[k];
    if (step.kind === 'prefix-space') {
      if (s.charCodeAt(0) !== 32) s = ' ' + s;
      this.pretokenize(s, k + 1, first);
      return;
    }
    if (step.kind === 'metaspace') {
      const rep = step.rep;
      s = s.replaceAll(' ', rep);
      if (!s.startsWith(rep) && (step.scheme === 'always' || (step.scheme === 'first' && first))) s = rep + s;
      if (!step.split) {
        this.pretokenize(s, k + 1, first);
        return;
      }
      const p = this.levels[k];
      p.clear();
      mergedWithNextChar(rep)(s, p);
      this.descend(s, p, k, first);
      return;
    }
    const p = this.levels[k];
    p.clear();
    step.fn(s, p);
    this.descend(s, p, k, first);
  }

  private descend(s: string, p: Pieces, k: number, first: boolean): void {
    const n = p.n;
    const starts = p.starts;
    const ends = p.ends;
    if (k + 1 === this.steps.length) {
      for (let i = 0; i < n; i++) this.word(s, starts[i], ends[i]);
    } else {
      // deeper steps use their own buffers (levels[k + 1]...), so this level's ranges stay valid
      for (let i = 0; i < n; i++) this.pretokenize(s.slice(starts[i], ends[i]), k + 1, first && starts[i] === 0);
    }
  }

  private push(id: number): void {
    if (this.n === this.out.length) this.reserve(1);
    this.out[this.n++] = id;
  }

  private reserve(k: number): void {
    let cap = this.out.length;
    while (cap < this.n + k) cap *= 2;
    const o = new Uint32Array(cap);
    o.set(this.out.subarray(0, this.n));
    this.out = o;
  }

  /**
   * A segment under the Prepend('▁') + Replace(' ' -> '▁') normalizer, cut into the same words as the normalized
   * text would be: a word starts at each ' ' or '▁' that follows another character. The first word gets the '▁'.
   */
  private spmSegment(s: string): void {
    const len = s.length;
    if (len === 0) return;
    let start = 0;
    let prevMeta = true; // the prepended '▁'
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      const meta = c === 32 || c === 0x2581;
      if (meta && !prevMeta && i > 0) {
        if (start === 0) this.word('▁' + s.slice(0, i).replaceAll(' ', '▁'), 0, i + 1, true);
        else this.word(s, start, i, true);
        start = i;
      }
      prevMeta = meta;
    }
    if (start === 0) this.word('▁' + s.replaceAll(' ', '▁'), 0, len + 1, true);
    else this.word(s, start, len, true);
  }

  /** Encodes the word s[start, end) through the cache. */
  private word(s: string, start: number, end: number, raw = false): void {
    if (end <= start) return;
    const cache = this.cache;
    const h = WordCache.hash(s, start, end);
    if (cache.get(s, start, end, h)) {
      const len = cache.hitLen;
      if (this.n + len > this.out.length) this.reserve(len);
      const vals = cache.values;
      const off = cache.hitOff;
      const out = this.out;
      let n = this.n;
      for (let i = 0; i < len; i++) out[n++] = vals[off + i];
      this.n = n;
      return;
    }
    let w = start === 0 && end === s.length ? s : s.slice(start, end);
    if (raw) w = w.replaceAll(' ', '▁');
    const count = this.model.encodeWord(w);
    const ids = this.model.ids;
    if (end - start <= CACHE_WORD_MAX) cache.set(s, start, end, h, ids, count);
    if (this.n + count > this.out.length) this.reserve(count);
    const out = this.out;
    for (let i = 0; i < count; i++) out[this.n++] = ids[i];
  }
}

/** Splits before every `ch` that follows a different character. */
function boundaryBefore(ch: string): Splitter {
  const code = ch.charCodeAt(0);
  return (s: string, out: Pieces): void => {
    let start = 0;
    let i = s.indexOf(ch, 1);
    while (i > 0) {
      if (s.charCodeAt(i - 1) !== code) {
        out.push(start, i);
        start = i;
      }
      i = s.indexOf(ch, i + 1);
    }
    if (s.length > 0) out.push(start, s.length);
  };
}
