"""Near-duplicate stories: MinHash signatures of word shingles, looked up through LSH band keys in SQLite.

A story republished by another outlet, or lightly edited (another headline, trimmed paragraphs, an added credit
line), shares most of its word 3-grams ("shingles") with the first copy. Each original article keeps a signature of
BANDS x ROWS minimum hashes (one-permutation hashing: one hash per shingle, binned); each band of ROWS values becomes
one indexed key in `lsh_bands`, so a lookup is BANDS index probes whatever the number of stored articles. Candidates
that share a band are then compared exactly: the similarity is the share of the shorter text's shingles found in
the other, so a trimmed copy still scores 1.0. Texts in different languages share no shingles.
"""

from __future__ import annotations

import re
import sqlite3
import struct
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from hashlib import blake2b

BANDS = 20  # band keys per article...
ROWS = 3  # ...of this many minimum hashes each: pairs with Jaccard 0.5 collide in some band 94% of the time
SLOTS = BANDS * ROWS
SHINGLE = 3  # words per shingle
_WORDS = re.compile(r"\w+")
_MASK = (1 << 64) - 1
_EMPTY = _MASK
MEMO_TEXTS = 512  # texts whose shingles are remembered: a stored original is compared with each copy that comes
_memo: OrderedDict[bytes, array] = OrderedDict()  # text's digest -> its shingles (8 bytes each), the most recent last


@dataclass(frozen=True)
class Match:
    """The stored article a text duplicates, and how much of the text is in it."""

    article_id: int
    similarity: float


def shingles(text: str) -> set[int]:
    """64-bit hashes of the text's word 3-grams (case-folded words; short texts give their words). The last
    MEMO_TEXTS texts' are remembered, under a 16-byte digest of the text (not the text itself): the original a copy
    is compared with is not shingled again for each copy."""
    key = blake2b(text.encode(), digest_size=16).digest()
    remembered = _memo.get(key)
    if remembered is not None:
        _memo.move_to_end(key)
        return set(remembered)
    words = _WORDS.findall(text.casefold())
    if len(words) >= SHINGLE:  # the 3-grams, each word with the next two
        grams = map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False))
    else:
        grams = iter([" ".join(words)] if words else [])
    hashes = {int.from_bytes(blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}
    _memo[key] = array("Q", hashes)
    if len(_memo) > MEMO_TEXTS:
        _memo.popitem(last=False)
    return hashes


def signature(hashes: set[int]) -> list[int]:
    """SLOTS minimum hashes: each shingle hash falls in one slot, a slot keeps its smallest value; an empty slot
    borrows from the next filled one (densification), so similar sets agree slot by slot."""
    slots = [_EMPTY] * SLOTS
    for h in hashes:
        slot, value = h % SLOTS, h // SLOTS
        if value < slots[slot]:
            slots[slot] = value
    filled = [i for i, v in enumerate(slots) if v != _EMPTY]
    if not filled:
        return slots
    for i in range(SLOTS):
        if slots[i] == _EMPTY:
            nxt = next((j for j in filled if j > i), filled[0])
            slots[i] = (slots[nxt] + (nxt - i) % SLOTS * 0x9E3779B97F4A7C15) & _MASK
    return slots


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (SQLite INTEGER), the band's number mixed in."""
    keys = []
    for band in range(BANDS):
        packed = struct.pack("<I3Q", band, *sig[band * ROWS : (band + 1) * ROWS])
        keys.append(int.from_bytes(blake2b(packed, digest_size=8).digest(), "little", signed=True))
    return keys


def similarity(a: set[int], b: set[int]) -> float:
    """Share of the smaller shingle set found in the other (1.0: one text contains the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def find(conn: sqlite3.Connection, hashes: set[int], threshold: float, exclude: int | None = None) -> Match | None:
    """The stored original most similar to the text of these shingles, if its similarity reaches `threshold`."""
    keys = band_keys(signature(hashes))
    marks = ",".join("?" * len(keys))
    candidates = [
        row[0]
        for row in conn.execute(
            f"SELECT article_id FROM lsh_bands WHERE key IN ({marks}) GROUP BY article_id"
            " ORDER BY count(*) DESC LIMIT 20",
            keys,
        )
        if row[0] != exclude
    ]
    best: Match | None = None
    for article_id in candidates:
        row = conn.execute("SELECT body FROM articles WHERE id = ?", [article_id]).fetchone()
        score = similarity(hashes, shingles(row[0])) if row else 0.0
        if score >= threshold and (best is None or score > best.similarity):
            best = Match(article_id, round(score, 3))
    return best


def index(conn: sqlite3.Connection, article_id: int, hashes: set[int]) -> None:
    """Store (or replace) the signature and band keys of the article whose text has these shingles."""
    sig = signature(hashes)
    forget(conn, article_id)
    conn.execute(
        "INSERT INTO article_signatures (article_id, signature) VALUES (?, ?)",
        [article_id, struct.pack(f"<{SLOTS}Q", *sig)],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (key, article_id) VALUES (?, ?)", [(k, article_id) for k in band_keys(sig)]
    )


def forget(conn: sqlite3.Connection, article_id: int) -> None:
    """Drop the article from the index (before it is re-indexed, or when it becomes a duplicate)."""
    old = conn.execute("SELECT signature FROM article_signatures WHERE article_id = ?", [article_id]).fetchone()
    if old is None:
        return
    keys = band_keys(list(struct.unpack(f"<{SLOTS}Q", old[0])))
    conn.executemany("DELETE FROM lsh_bands WHERE key = ? AND article_id = ?", [(k, article_id) for k in keys])
    conn.execute("DELETE FROM article_signatures WHERE article_id = ?", [article_id])
