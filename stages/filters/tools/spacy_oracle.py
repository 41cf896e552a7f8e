"""Reference word lists and sentence counts from spaCy itself (spacy.blank("en") + sentencizer), as datatrove's
SpaCyTokenizer splits English: words = non-empty stripped token texts, sentences = the sentencizer's spans ([""] for
an empty text, the shape of ../shared/fixtures). Usage: python spacy_oracle.py <in.jsonl[.gz]> <out.jsonl>"""
import sys

import spacy

from oracle_io import documents, write_jsonl

nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")


def result(rec):
    text = rec["text"]
    nlp.max_length = len(text) + 10
    doc = nlp(text)
    words = [t.text.strip() for t in doc if t.text.strip()]
    sentences = [s.text for s in doc.sents] or [""]
    return {"id": rec.get("id"), "words": words, "n_sent": len(sentences)}


write_jsonl(sys.argv[2], (result(rec) for _, rec in documents(sys.argv[1])))
