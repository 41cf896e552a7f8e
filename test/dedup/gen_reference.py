#!/usr/bin/env python3
"""Independent reference values for test/dedup/minhash.test.ts.

Computed in Python, independently of the TypeScript code: numpy's RandomState draws the permutation parameters
(exactly as NeMo Curator and datatrove call it), a from-scratch Python MurmurHash3_x86_32, Python big integers for
the permutation arithmetic (with the wrap-around of the reference's integer types made explicit), and a Python
transcription of the normalisation rules. Texts are our own. Regenerate with:

    python3 test/dedup/gen_reference.py > test/dedup/reference-values.json
"""
import json
import re
import unicodedata

import numpy as np

M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1
P61 = (1 << 61) - 1


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def murmur3_32(data: bytes, seed: int) -> int:
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & M32
    n = len(data)
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & M32
        k = rotl(k, 15)
        k = (k * c2) & M32
        h ^= k
        h = rotl(h, 13)
        h = (h * 5 + 0xE6546B64) & M32
    tail = data[n - n % 4:]
    k = 0
    for j, byte in enumerate(tail):
        k |= byte << (8 * j)
    if tail:
        k = (k * c1) & M32
        k = rotl(k, 15)
        k = (k * c2) & M32
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def nemo_params(n, seed):
    g = np.random.RandomState(seed)
    p = np.uint32((1 << 31) - 1)
    pairs = [(int(g.randint(1, p, dtype=np.uint32)), int(g.randint(0, p, dtype=np.uint32))) for _ in range(n)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def datatrove_params(n, seed):
    g = np.random.RandomState(seed)
    a = g.randint(1, P61, dtype=np.uint64, size=n)
    b = g.randint(0, P61, dtype=np.uint64, size=n)
    return [int(x) for x in a], [int(x) for x in b]


def perm_u32(h, a, b):
    # cuDF evaluates ((hv * a + b) % mersenne_prime) & max with uint32 hv, a, b: product and sum wrap mod 2^32
    return ((h * a) % (1 << 32) + b) % (1 << 32) % P61 & M32


def perm_mod61(h, a, b):
    # numpy uint64: product and sum wrap mod 2^64, then mod 2^61-1, then the low 32 bits
    return ((((h * a) & M64) + b) & M64) % P61 & M32


def char_shingles(text, w):
    cps = list(text)
    if not cps:
        return []
    if len(cps) < w:
        return ["".join(cps)]
    return ["".join(cps[i:i + w]) for i in range(len(cps) - w + 1)]


DT_PUNCT = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»" + "".join(
    chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))


def datatrove_words(text):
    t = text.lower()
    t = re.sub(r"\s+", " ", t.strip())
    t = "".join(c for c in t if c not in DT_PUNCT)
    t = "".join(c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn")
    t = re.sub(r"\d+", "0", t)
    return t.split()


def word_shingles(words, n, short_whole):
    if not words:
        return []
    if len(words) < n:
        return [" ".join(words)] if short_whole else []
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def signature(shingles, seed, a, b, perm, zero_to_one):
    hs = [murmur3_32(s.encode("utf-8"), seed) for s in shingles]
    if zero_to_one:
        hs = [max(h, 1) for h in hs]
    return [min(perm(h, a[i], b[i]) for h in hs) for i in range(len(a))]


TEXTS = [
    "The committee met on Tuesday to discuss the new budget for the library's reading programme.",
    "Über 300 Menschen kamen, um das Konzert im Park zu hören — trotz des Regens!",
    "short text",
    "Ünïcödé  spaces\tand\nnewlines, digits 12345 and 6 7; punctuation: (yes) [no] {maybe} “quoted” — done.",
    "日本語のテキストも同じように処理されます。文字単位のシングルです。",
]

VECTORS = [("", 0), ("", 1), ("", 0xFFFFFFFF), ("\0\0\0\0", 0), ("a", 0x9747B28C), ("ab", 0x9747B28C), ("abc", 0x9747B28C),
           ("abcd", 0x9747B28C), ("aaaa", 0x9747B28C), ("Hello, world!", 0x9747B28C), ("Hello, world!", 1234),
           ("ππππππππ", 0x9747B28C), ("The quick brown fox jumps over the lazy dog", 0x9747B28C)]


def main():
    out = {"murmur": [{"text": t, "seed": s, "hash": murmur3_32(t.encode("utf-8"), s)} for t, s in VECTORS]}
    a, b = nemo_params(128, 10)
    out["nemo_seed10"] = {"a": a, "b": b}
    da, db = datatrove_params(8, 1)
    out["datatrove_seed1_first8"] = {"a": [str(x) for x in da], "b": [str(x) for x in db]}
    # permutation formula checks on arbitrary hashes
    hs = [0, 1, 2, 12345, 0x7FFFFFFF, 0x80000000, 0xDEADBEEF, M32]
    out["perm_u32"] = [[h, a[i % 128], b[i % 128], perm_u32(h, a[i % 128], b[i % 128])] for i, h in enumerate(hs)]
    out["perm_mod61"] = [[h, str(da[i]), str(db[i]), perm_mod61(h, da[i], db[i])] for i, h in enumerate(hs)]
    # zyda2 signatures: 25-char shingles of raw text, murmur seed = a[0], cuDF u32 permutation
    out["zyda2"] = [{"text": t, "signature": signature(char_shingles(t, 25), a[0], a, b, perm_u32, True)} for t in TEXTS]
    # fineweb words (datatrove normalisation) and a signature with the preset (nemo draw seed 1, u32, murmur seed 0)
    fa, fb = nemo_params(112, 1)
    out["fineweb"] = [{"text": t, "words": datatrove_words(t),
                       "signature": signature(word_shingles(datatrove_words(t), 5, False), 0, fa, fb, perm_u32, True)
                       if len(datatrove_words(t)) >= 5 else None} for t in TEXTS]
    # mod61 arithmetic on a full signature: datatrove draws seed 1, 16 perms, 5-word shingles, murmur seed 0
    ma, mb = datatrove_params(16, 1)
    out["mod61_sig"] = [{"text": t, "signature": signature(word_shingles(datatrove_words(t), 5, True), 0, ma, mb, perm_mod61, False)} for t in TEXTS]
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
