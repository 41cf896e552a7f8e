"""Dev-time extractor: evaluates spaCy's published English tokenizer data (v3.6.1, commit 458bc5f) and writes
the composed rule lists to en_data.json next to this file. Run: python3 extract_spacy_data.py <spaCy git dir>.
Only the data modules are evaluated (char classes, punctuation rules, tokenizer exceptions); the symbols and
util modules they import are replaced by minimal stand-ins. No spaCy installation is needed."""
import json, os, subprocess, sys, tempfile, importlib

COMMIT = "458bc5f45c5e371bdbef43d58d078436ee496e43"
FILES = [
    "spacy/lang/char_classes.py",
    "spacy/lang/punctuation.py",
    "spacy/lang/tokenizer_exceptions.py",
    "spacy/lang/en/punctuation.py",
    "spacy/lang/en/tokenizer_exceptions.py",
    "spacy/pipeline/sentencizer.pyx",
]


def main(gitdir: str) -> None:
    tmp = tempfile.mkdtemp()
    for f in FILES:
        data = subprocess.check_output(["git", "--git-dir", gitdir, "show", f"{COMMIT}:{f}"])
        path = os.path.join(tmp, f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    for pkg in ["spacy", "spacy/lang", "spacy/lang/en", "spacy/pipeline"]:
        open(os.path.join(tmp, pkg, "__init__.py"), "a").close()
    with open(os.path.join(tmp, "spacy/symbols.py"), "w") as fh:
        fh.write("ORTH = 65\nNORM = 67\n")
    # spacy/util.py needs much of spaCy; take only its update_exc and expand_exc functions (source text)
    util_src = subprocess.check_output(["git", "--git-dir", gitdir, "show", f"{COMMIT}:spacy/util.py"]).decode()
    a = util_src.index("def update_exc(")
    b = util_src.index("def normalize_slice(")
    with open(os.path.join(tmp, "spacy/util.py"), "w") as fh:
        fh.write("from typing import Dict, List\nfrom .symbols import ORTH\nclass Errors:\n    E055 = E056 = '{}'\n")
        fh.write(util_src[a:b])
    sys.path.insert(0, tmp)
    pun = importlib.import_module("spacy.lang.punctuation")
    en_pun = importlib.import_module("spacy.lang.en.punctuation")
    tex = importlib.import_module("spacy.lang.tokenizer_exceptions")
    en_exc = importlib.import_module("spacy.lang.en.tokenizer_exceptions")
    # sentencizer default punct chars: parse the class attribute list literally
    src = open(os.path.join(tmp, "spacy/pipeline/sentencizer.pyx"), encoding="utf8").read()
    start = src.index("default_punct_chars = [")
    end = src.index("]", start)
    import ast
    punct_chars = ast.literal_eval(src[start + len("default_punct_chars = "): end + 1])
    ORTH = 65
    exc = {k: [t[ORTH] for t in v] for k, v in en_exc.TOKENIZER_EXCEPTIONS.items()}
    out = {
        "source": f"explosion/spaCy@{COMMIT} (v3.6.1): spacy/lang/{{char_classes,punctuation,tokenizer_exceptions}}.py, "
        "spacy/lang/en/{punctuation,tokenizer_exceptions}.py, spacy/pipeline/sentencizer.pyx",
        "prefixes": [p for p in pun.TOKENIZER_PREFIXES],
        "suffixes": [p for p in pun.TOKENIZER_SUFFIXES],
        "infixes": [p for p in en_pun.TOKENIZER_INFIXES],
        "url_pattern": tex.URL_PATTERN,
        "exceptions": exc,
        "sentencizer_punct_chars": punct_chars,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "en_data.json"), "w", encoding="utf8") as fh:
        json.dump(out, fh, ensure_ascii=True, indent=0, sort_keys=False)
        fh.write("\n")
    print("exceptions:", len(exc), "prefixes:", len(out["prefixes"]), "suffixes:", len(out["suffixes"]),
          "infixes:", len(out["infixes"]), "punct_chars:", len(punct_chars))


if __name__ == "__main__":
    main(sys.argv[1])
