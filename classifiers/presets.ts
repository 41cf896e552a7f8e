// Model presets: the I/O conventions of well-known quality classifiers. A preset fixes defaults (column prefix, head,
// labels, truncation); the model files themselves are always given by the user (`model:`), nothing is downloaded.
import type { HeadKind } from './heads.ts';

export interface Preset {
  name: string;
  description: string;
  /** What the model directory must hold (checked at setup). */
  expects: string;
  defaults: {
    name: string;
    head: HeadKind;
    labels?: string[];
    maxTokens: number;
    maxChars: number | null;
    intScoreRange?: [number, number] | null;
    clampScore?: boolean;
  };
}

export const presets: Record<string, Preset> = {
  'fineweb-edu': {
    name: 'fineweb-edu',
    description:
      'HuggingFaceFW/fineweb-edu-classifier: BERT-style encoder with a one-logit regression head. score = the logit; int_score = round(clamp(score, 0, 5)) (halves to even, as the model card computes it). Texts are truncated to 512 tokens, no character cut.',
    expects: 'BertForSequenceClassification exported to ONNX (inputs input_ids, attention_mask[, token_type_ids]; output logits [batch, 1]); tokenizer.json; config.json with problem_type "regression"',
    defaults: { name: 'fineweb_edu', head: 'regression', maxTokens: 512, maxChars: null, intScoreRange: [0, 5], clampScore: false },
  },
  'nvidia-quality': {
    name: 'nvidia-quality',
    description:
      'nvidia/quality-classifier-deberta: DeBERTa-v3 encoder, softmax over High / Medium / Low. As in NeMo Curator, texts are first cut to 6000 characters, then tokenized to at most 1024 tokens; the label is the argmax.',
    expects: 'DeBERTa-v2 sequence classifier exported to ONNX (inputs input_ids, attention_mask; output logits [batch, 3]); tokenizer.json; config.json with id2label {0: High, 1: Medium, 2: Low}',
    defaults: { name: 'quality', head: 'softmax', labels: ['High', 'Medium', 'Low'], maxTokens: 1024, maxChars: 6000 },
  },
};

export const presetNames = Object.keys(presets) as [string, ...string[]];
