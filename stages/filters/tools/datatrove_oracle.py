"""Reference decisions of datatrove's six heuristic filters (defaults) from a datatrove source tree.
Usage: python datatrove_oracle.py <datatrove/src> <c4 bad-words file> <in.jsonl[.gz]> <out.jsonl>
The bad-words list is read from the given file instead of being downloaded."""
import sys

from oracle_io import documents, write_jsonl

sys.path.insert(0, sys.argv[1])
import datatrove.pipeline.filters.c4_filters as c4  # noqa: E402

c4.cached_asset_path_or_download = lambda *a, **k: sys.argv[2]
from datatrove.data import Document  # noqa: E402
from datatrove.pipeline.filters import (  # noqa: E402
    C4BadWordsFilter, C4ParagraphFilter, C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
    GopherRepetitionFilter)

filters = {
    "gopher_quality": GopherQualityFilter(), "gopher_repetition": GopherRepetitionFilter(),
    "c4_quality": C4QualityFilter(), "c4_paragraph": C4ParagraphFilter(), "c4_badwords": C4BadWordsFilter(),
    "fineweb_quality": FineWebQualityFilter(),
}


def result(i, rec):
    res = {}
    for name, flt in filters.items():
        # a fresh Document per filter: C4QualityFilter rewrites the text of documents it keeps
        v = flt.filter(Document(text=rec["text"], id=str(rec.get("id", i)), metadata={}))
        res[name] = {"keep": v, "reason": None} if isinstance(v, bool) else {"keep": v[0], "reason": v[1]}
    return {"id": rec.get("id"), "filters": res}


write_jsonl(sys.argv[4], (result(i, rec) for i, rec in documents(sys.argv[3])))
