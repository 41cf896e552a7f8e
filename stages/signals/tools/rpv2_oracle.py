"""Runs the ORIGINAL RedPajama-V2 quality-signal code on documents, for checking this port on any corpus.

Needs a checkout of togethercomputer/RedPajama-Data (commit 6d2cee9 was ported) and numpy; nltk and msgspec are
replaced by stand-ins (NLTK's WordPunctTokenizer is the regex findall below; msgspec only declares types).
Reads a JSON array of texts, writes a JSON array of {signal: [[start, end, score], ...]}.

    python3 rpv2_oracle.py --rpv2 /path/to/RedPajama-Data --ldnoobw en.txt texts.json out.json

Used by stages/signals/tools/compare-rpv2.ts (see docs/signals-rpv2.md, "Checking other corpora").
"""
import argparse
import json
import os
import re
import sys
import tempfile
import types


def install_stubs():
    nltk = types.ModuleType("nltk")
    tok = types.ModuleType("nltk.tokenize")

    class WordPunctTokenizer:  # nltk.tokenize.WordPunctTokenizer: RegexpTokenizer(r"\w+|[^\w\s]+").findall
        _re = re.compile(r"\w+|[^\w\s]+", re.UNICODE | re.MULTILINE | re.DOTALL)

        def tokenize(self, text):
            return self._re.findall(text)

    tok.WordPunctTokenizer = WordPunctTokenizer
    nltk.tokenize = tok
    msgspec = types.ModuleType("msgspec")

    class Struct:
        pass

    msgspec.Struct = Struct
    sys.modules.update({"nltk": nltk, "nltk.tokenize": tok, "msgspec": msgspec})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rpv2", required=True, help="RedPajama-Data checkout")
    ap.add_argument("--ldnoobw", help="LDNOOBW word list (enables rps_doc_ldnoobw_words)")
    ap.add_argument("texts")
    ap.add_argument("out")
    a = ap.parse_args()
    install_stubs()
    sys.path.insert(0, os.path.join(a.rpv2, "app", "src"))
    from core.document import Document
    from core.quality_signals.content import register_content_callables
    from core.quality_signals.lines import register_lines_callables
    from core.quality_signals.natural_language import register_natural_language_callables
    from core.quality_signals.repetitions import register_repetitions_callables

    tmp = tempfile.mkdtemp()
    os.makedirs(os.path.join(tmp, "bw"))
    os.makedirs(os.path.join(tmp, "ut1"))
    with open(os.path.join(tmp, "bw", "en.txt"), "w") as f:
        f.write(open(a.ldnoobw).read() if a.ldnoobw else "")
    json.dump({}, open(os.path.join(tmp, "ut1", "domain_to_category_id.json"), "w"))
    fns = (register_content_callables("en", os.path.join(tmp, "ut1"), os.path.join(tmp, "bw"))
           + register_repetitions_callables() + register_natural_language_callables() + register_lines_callables())
    skip = {"rps_doc_ut1_blacklist"} | (set() if a.ldnoobw else {"rps_doc_ldnoobw_words"})
    out = []
    for t in json.load(open(a.texts)):
        doc = Document(t, domain=None, precompute_ngrams=True)
        out.append({f.field_name: [list(x) for x in f(doc)] for f in fns if f.field_name not in skip})
    json.dump(out, open(a.out, "w"))


main()
