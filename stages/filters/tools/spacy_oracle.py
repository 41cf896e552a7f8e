"""Reference word lists and sentence counts from spaCy itself (spacy.blank("en") + sentencizer), as datatrove's
SpaCyTokenizer splits English: words = non-empty stripped token texts, sentences = the sentencizer's spans ([""] for
an empty text, the shape of ../shared/fixtures). Usage: python spacy_oracle.py <in.jsonl[.gz]> <out.jsonl>"""
import gzip
import json
import sys

import spacy

nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
src, dst = sys.argv[1], sys.argv[2]
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rt", encoding="utf8") as f, open(dst, "w", encoding="utf8") as out:
    for line in f:
        if not line.strip():
            continue
        rec = json.loads(line)
        text = rec.get("text")
        if not isinstance(text, str):
            continue
        nlp.max_length = len(text) + 10
        doc = nlp(text)
        words = [t.text.strip() for t in doc if t.text.strip()]
        sentences = [s.text for s in doc.sents] or [""]
        out.write(json.dumps({"id": rec.get("id"), "words": words, "n_sent": len(sentences)}, ensure_ascii=False) + "\n")
