"""Reference decisions of datatrove's six heuristic filters (defaults) from a datatrove source tree.
Usage: python datatrove_oracle.py <datatrove/src> <c4 bad-words file> <in.jsonl[.gz]> <out.jsonl>
The bad-words list is read from the given file instead of being downloaded."""
import gzip
import json
import sys

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
src, dst = sys.argv[3], sys.argv[4]
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rt", encoding="utf8") as f, open(dst, "w", encoding="utf8") as out:
    for i, line in enumerate(f):
        if not line.strip():
            continue
        rec = json.loads(line)
        text = rec.get("text")
        if not isinstance(text, str):
            continue
        res = {}
        for name, flt in filters.items():
            # a fresh Document per filter: C4QualityFilter rewrites the text of documents it keeps
            v = flt.filter(Document(text=text, id=str(rec.get("id", i)), metadata={}))
            res[name] = {"keep": v, "reason": None} if isinstance(v, bool) else {"keep": v[0], "reason": v[1]}
        out.write(json.dumps({"id": rec.get("id"), "filters": res}, ensure_ascii=False) + "\n")
