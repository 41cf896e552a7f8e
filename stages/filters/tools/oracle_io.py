"""Shared I/O of the oracle runners: documents with a string `text` from a JSONL(.gz) file, and a JSONL writer."""
import gzip
import json


def documents(src):
    """Yields (index, record) for every line holding an object with a string `text` (others are skipped, as
    `curate signals` skips them)."""
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt", encoding="utf8") as f:
        for i, line in enumerate(f):
            if not line.strip():
                continue
            rec = json.loads(line)
            if isinstance(rec.get("text"), str):
                yield i, rec


def write_jsonl(dst, rows):
    with open(dst, "w", encoding="utf8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
