"""The article store (crawler/storage/articles.py) on a real temporary SQLite database, without a crawl: what
storing a record does to `articles`, its copies and versions, `pages`, `raw_pages` and the full-text index."""

from __future__ import annotations

import random
import sqlite3
import zlib
from pathlib import Path

import pytest

from crawler.items import Article, Fetch, Image
from crawler.search.analyser import index_text
from crawler.storage import neardup
from crawler.storage.archive import Archive
from crawler.storage.articles import Stored, kept_row, page_row

THRESHOLD = 0.8  # NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD's default
VOCABULARY = (  # noqa: SIM905 (words read better as text)
    "harbour council budget river market school bridge farmer storm election museum railway doctor teacher "
    "village festival factory minister court airport hospital garden library football orchestra desert island "
    "mountain winter summer police coffee bakery ferry tunnel highway satellite telescope vaccine refinery "
    "pipeline tanker wheat cotton copper silver bank loan tariff strike union parliament senate mayor district"
).split()


def story(seed: int, paragraphs: int = 6) -> list[str]:
    """Paragraphs of words drawn for this seed: two seeds share next to no word 3-gram."""
    draw = random.Random(seed)
    return [" ".join(draw.choice(VOCABULARY) for _ in range(25)).capitalize() + "." for _ in range(paragraphs)]


def record(source: str, url: str, paragraphs: list[str], fetched_url: str | None = None, **fields: object) -> Article:
    """A record as the store pipeline hands it over (its source set; `fetched_url`: the URL its page came from)."""
    fields.setdefault("title", f"A story of {source}")
    body = "\n\n".join(paragraphs)
    article = Article(url=url, body=body, source=source, source_name=source.title(), **fields)
    article.fetch = Fetch(fetched_url=fetched_url)
    return article


@pytest.fixture
def archive(tmp_path: Path):
    with Archive.open(tmp_path / "news.db") as archive:
        yield archive


def store(archive: Archive, *articles: Article, run_id: int | None = None) -> list[Stored]:
    """Store the records in one batch, committed."""
    with archive.articles.batch(THRESHOLD) as batch:
        return [batch.store(article, run_id) for article in articles]


def rows(archive: Archive, sql: str, *params: object) -> list[tuple]:
    return archive.conn.execute(sql, params).fetchall()


def matches(archive: Archive, word: str) -> list[int]:
    """Ids of the articles the full-text index finds for `word` (analysed as newscrawl analyses it)."""
    return [
        rowid
        for (rowid,) in rows(archive, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", index_text(word))
    ]


def test_a_new_article_is_stored_with_its_images_pages_and_index(archive):
    article = record(
        "alpha",
        "https://alpha.example/news/1",
        story(1),
        title="Harbour council meets",
        images=[Image("https://alpha.example/a.jpg", "The harbour", "AFP"), Image("https://alpha.example/b.jpg")],
        authors=["Ann Writer"],
        published_at="2024-08-12T09:00:00+00:00",
    )
    [stored] = store(archive, article, run_id=7)
    assert (stored.outcome, stored.repeat, stored.fetched) == ("new", False, "https://alpha.example/news/1")
    assert rows(archive, "SELECT id, url, source, source_name, authors, run_id, duplicate_of FROM articles") == [
        (stored.article_id, "https://alpha.example/news/1", "alpha", "Alpha", '["Ann Writer"]', 7, None)
    ]
    assert rows(archive, "SELECT position, url, caption, credit FROM images ORDER BY position") == [
        (0, "https://alpha.example/a.jpg", "The harbour", "AFP"),
        (1, "https://alpha.example/b.jpg", None, None),
    ]
    assert rows(archive, "SELECT source, url, status, article_id FROM pages") == [
        ("alpha", "https://alpha.example/news/1", "article", stored.article_id)
    ]
    assert matches(archive, "harbour") == [stored.article_id]
    assert rows(archive, "SELECT article_id FROM article_signatures") == [(stored.article_id,)]  # an original


def test_the_same_text_from_another_source_is_stored_linked_to_the_first(archive):
    [first] = store(archive, record("alpha", "https://alpha.example/news/1", story(1)))
    [copy] = store(archive, record("beta", "https://beta.example/item/9", story(1), title="Another headline"))
    assert (copy.outcome, copy.copy_url, copy.similarity) == ("duplicate", "https://alpha.example/news/1", 1.0)
    assert rows(archive, "SELECT source, duplicate_of, similarity FROM articles ORDER BY id") == [
        ("alpha", None, None),
        ("beta", first.article_id, 1.0),
    ]
    assert rows(archive, "SELECT article_id FROM article_signatures") == [(first.article_id,)]  # copies: not indexed
    assert sorted(matches(archive, story(1)[0].split()[3])) == [first.article_id, copy.article_id]  # both searchable


def test_a_republication_with_a_new_headline_and_a_trimmed_text_is_a_near_duplicate(archive):
    [first] = store(archive, record("alpha", "https://alpha.example/news/1", story(1)))
    edited = [*story(1)[:5], "Reporting by a news agency, with additional writing by our desk."]
    [near] = store(archive, record("beta", "https://beta.example/item/9", edited, title="Storm: the day after"))
    assert near.outcome == "duplicate" and near.copy_url == "https://alpha.example/news/1"
    assert THRESHOLD <= near.similarity < 1.0
    assert rows(archive, "SELECT duplicate_of, similarity FROM articles WHERE id = ?", near.article_id) == [
        (first.article_id, near.similarity)
    ]
    [other] = store(archive, record("beta", "https://beta.example/item/10", story(2)))
    assert other.outcome == "new" and other.copy_url is None  # another story shares no band with it


def test_remembered_shingles_are_the_text_s_own_and_a_caller_cannot_change_them():
    texts = ["\n\n".join(story(seed)) for seed in range(3)] + ["", "one", "two words", "Three Words, here"]
    first = [neardup.shingles(text) for text in texts]  # computed, then remembered
    for hashes in first:
        hashes.add(1)  # a caller's own set: the remembered shingles stay as they were
    for text, hashes in zip(texts, first, strict=True):
        assert neardup.shingles(text) == hashes - {1} and 1 not in neardup.shingles(text)
    assert neardup.shingles("") == set() and len(neardup.shingles("one")) == 1
    assert len(neardup.shingles("Three Words, here")) == 1 and len(neardup.shingles(texts[0])) > 100
    for seed in range(10, 10 + neardup.MEMO_TEXTS + 5):  # more texts than are remembered: the first are let go
        neardup.shingles(f"text number {seed}")
    assert neardup.shingles(texts[0]) == first[0] - {1}


def test_the_shingle_memo_is_bounded_and_keeps_no_text():
    texts = ["\n\n".join(story(seed)) for seed in range(neardup.MEMO_TEXTS + 20)]
    computed = [neardup.shingles(text) for text in texts]
    assert len(neardup._memo) == neardup.MEMO_TEXTS
    assert all(isinstance(key, bytes) and len(key) == 16 for key in neardup._memo)  # a digest, not the text
    assert [neardup.shingles(text) for text in texts] == computed  # let go or remembered: the text's own shingles


def test_a_copy_published_first_takes_the_original_over_with_its_copies(archive):
    later = "2024-08-12T12:00:00+00:00"
    [stored_first] = store(archive, record("beta", "https://beta.example/item/9", story(1), published_at=later))
    trimmed = story(1)[:4]
    [copy] = store(archive, record("gamma", "https://gamma.example/9", trimmed, published_at=later))
    assert copy.outcome == "duplicate" and copy.copy_url == "https://beta.example/item/9"

    longer = [*story(1), *story(3, paragraphs=2)]  # the first publication: the story and two more paragraphs
    [original] = store(
        archive, record("alpha", "https://alpha.example/news/1", longer, published_at="2024-08-12T08:00:00+00:00")
    )
    assert (original.outcome, original.copy_url) == ("new", None)  # published first: not a copy
    links = dict(((i, (d, s)) for i, d, s in rows(archive, "SELECT id, duplicate_of, similarity FROM articles")))
    assert links[original.article_id] == (None, None)
    assert links[stored_first.article_id] == (original.article_id, 1.0)  # its whole text is in the original
    assert links[copy.article_id] == (original.article_id, 1.0)
    # the old original left the near-duplicate index: a later copy links to the new one
    assert rows(archive, "SELECT article_id FROM article_signatures") == [(original.article_id,)]
    assert {a for (a,) in rows(archive, "SELECT DISTINCT article_id FROM lsh_bands")} == {original.article_id}
    [late] = store(archive, record("delta", "https://delta.example/1", story(1)[1:], published_at=later))
    assert (late.outcome, late.copy_url) == ("duplicate", "https://alpha.example/news/1")


def test_a_hand_over_scores_each_copy_against_the_new_original(archive):
    later = "2024-08-12T12:00:00+00:00"
    credit = story(9, paragraphs=1)  # a paragraph the first stored copy lacks
    [old] = store(archive, record("beta", "https://beta.example/item/9", story(1), published_at=later))
    [copy] = store(archive, record("gamma", "https://gamma.example/9", [*story(1)[:5], *credit], published_at=later))
    [(before,)] = rows(archive, "SELECT similarity FROM articles WHERE id = ?", copy.article_id)
    assert copy.outcome == "duplicate" and THRESHOLD <= before < 1.0  # the credit paragraph is not in beta's
    first = record("alpha", "https://alpha.example/news/1", [*story(1), *credit], published_at="2024-08-12T08:00Z")
    [new] = store(archive, first)
    assert new.outcome == "new"
    after = round(neardup.similarity(neardup.shingles(copy.row["body"]), neardup.shingles(new.row["body"])), 3)
    assert before < after  # scored again, against the new original (which has the credit paragraph)
    assert rows(
        archive, "SELECT id, duplicate_of, similarity FROM articles WHERE id != ? ORDER BY id", new.article_id
    ) == [(old.article_id, new.article_id, 1.0), (copy.article_id, new.article_id, after)]


def test_an_original_whose_text_changes_is_indexed_again_and_keeps_its_copies(archive):
    [original] = store(archive, record("alpha", "https://alpha.example/news/1", story(1)))
    [copy] = store(archive, record("beta", "https://beta.example/item/9", story(1)[:5]))
    [changed] = store(archive, record("alpha", "https://alpha.example/news/1", story(2)))
    assert (changed.outcome, changed.article_id) == ("updated", original.article_id)
    assert rows(archive, "SELECT duplicate_of, similarity FROM articles WHERE id = ?", copy.article_id) == [
        (original.article_id, 1.0)  # the link stays as it was
    ]
    [follower] = store(archive, record("gamma", "https://gamma.example/2", story(2)[1:]))  # found by its new text
    assert (follower.outcome, follower.copy_url) == ("duplicate", "https://alpha.example/news/1")
    [(signatures,)] = rows(archive, "SELECT count(*) FROM article_signatures")
    assert signatures == 1  # a copy is not indexed, even when its text changes:
    [edited_copy] = store(archive, record("beta", "https://beta.example/item/9", story(3)))
    assert edited_copy.outcome == "updated"
    assert rows(archive, "SELECT article_id FROM article_signatures") == [(original.article_id,)]


def test_a_changed_text_keeps_the_old_one_as_a_version(archive):
    url = "https://alpha.example/news/1"
    [first] = store(archive, record("alpha", url, story(1), title="Zeppelin landing", modified_at="2024-08-12T09:00"))
    changed = record("alpha", url, story(2), title="Quasar sighting", images=[Image("https://alpha.example/c.jpg")])
    [stored] = store(archive, changed, run_id=2)
    assert (stored.outcome, stored.article_id) == ("updated", first.article_id)
    assert rows(archive, "SELECT article_id, title, body, modified_at FROM article_versions") == [
        (first.article_id, "Zeppelin landing", "\n\n".join(story(1)), "2024-08-12T09:00")
    ]
    [(title, body, modified_at, run_id)] = rows(archive, "SELECT title, body, modified_at, run_id FROM articles")
    assert (title, body, run_id) == ("Quasar sighting", "\n\n".join(story(2)), 2)
    assert modified_at is not None  # no dateModified given: the time the change was seen
    assert rows(archive, "SELECT url FROM images WHERE article_id = ?", first.article_id) == [
        ("https://alpha.example/c.jpg",)
    ]
    assert matches(archive, "quasar") == [first.article_id] and matches(archive, "zeppelin") == []  # index in step


def test_a_new_date_modified_alone_is_no_change(archive):
    url = "https://alpha.example/news/1"
    [first] = store(archive, record("alpha", url, story(1), modified_at="2024-08-12T09:00:00+00:00"), run_id=1)
    [again] = store(archive, record("alpha", url, story(1), modified_at="2024-08-13T09:00:00+00:00"), run_id=2)
    assert (again.outcome, again.article_id, again.repeat) == ("unchanged", first.article_id, False)
    assert rows(archive, "SELECT count(*) FROM article_versions") == [(0,)]
    assert rows(archive, "SELECT modified_at, run_id FROM articles") == [("2024-08-12T09:00:00+00:00", 2)]


def test_the_same_url_twice_in_one_run_is_a_repeat_that_keeps_the_last_text(archive):
    url = "https://alpha.example/news/1"
    stored = store(archive, record("alpha", url, story(1)), record("alpha", url, story(2)), run_id=5)
    assert [(s.outcome, s.repeat) for s in stored] == [("new", False), ("updated", True)]
    assert rows(archive, "SELECT body FROM articles") == [("\n\n".join(story(2)),)]


def test_the_same_text_under_another_url_of_the_source_is_not_stored_again(archive):
    [first] = store(archive, record("alpha", "https://alpha.example/news/1", story(1)))
    [again] = store(archive, record("alpha", "https://alpha.example/news/1-amp", story(1)))
    assert (again.outcome, again.article_id, again.copy_url) == (
        "same_text",
        first.article_id,
        "https://alpha.example/news/1",
    )
    assert rows(archive, "SELECT count(*) FROM articles") == [(1,)]
    assert rows(archive, "SELECT status, reason, article_id FROM pages WHERE url LIKE '%amp'") == [
        ("duplicate", "same text as https://alpha.example/news/1", first.article_id)
    ]


def test_a_url_is_one_article_per_source(archive):
    url = "https://shared.example/story"
    [alpha, beta] = store(archive, record("alpha", url, story(1)), record("beta", url, story(2)))
    assert (alpha.outcome, beta.outcome) == ("new", "new")  # two sources may store the same URL
    [alpha_again] = store(archive, record("alpha", url, story(5)))
    assert (alpha_again.outcome, alpha_again.article_id) == ("updated", alpha.article_id)
    assert rows(archive, "SELECT source, body FROM articles ORDER BY id") == [
        ("alpha", "\n\n".join(story(5))),
        ("beta", "\n\n".join(story(2))),
    ]
    with pytest.raises(sqlite3.IntegrityError):  # the schema holds it too
        archive.conn.execute("INSERT INTO articles (url, source, title, body) VALUES (?, 'alpha', 't', 'b')", [url])


def test_a_page_naming_a_canonical_url_of_another_story_is_stored_where_it_was_fetched(archive):
    named = "https://alpha.example/news/1"
    [first] = store(archive, record("alpha", named, story(1), fetched_url="https://alpha.example/news/amp/1"))
    [other] = store(archive, record("alpha", named, story(2), fetched_url="https://alpha.example/news/7"))
    assert other.outcome == "new" and other.row["url"] == "https://alpha.example/news/7"
    assert rows(archive, "SELECT id, url FROM articles ORDER BY id") == [
        (first.article_id, named),
        (other.article_id, "https://alpha.example/news/7"),
    ]


def test_the_page_at_its_own_url_takes_it_back_from_a_row_that_only_named_it(archive):
    named, fetched = "https://alpha.example/news/1", "https://alpha.example/news/amp/1"
    [first] = store(archive, record("alpha", named, story(1), fetched_url=fetched))
    [own] = store(archive, record("alpha", named, story(2), fetched_url=named))
    assert own.moved == [(named, fetched)] and own.outcome == "new"
    assert rows(archive, "SELECT id, url FROM articles ORDER BY id") == [
        (first.article_id, fetched),
        (own.article_id, named),
    ]


def test_pages_and_kept_pages_are_written_with_the_batch_and_read_back(archive):
    html = zlib.compress(b"<html>kept</html>")
    rejected = page_row("https://alpha.example/tag/x#top", "alpha", "not_article", "a tag page", None, "2024-08-12")
    kept = [
        kept_row("https://alpha.example/news/2", "alpha", "https://alpha.example/news/2", html, "2024-08-12T10:00"),
        kept_row("https://alpha.example/news/1", "alpha", "https://alpha.example/n/1", html, "2024-08-12T11:00"),
        kept_row("https://beta.example/1", "beta", "https://beta.example/1", html, None),
    ]
    with archive.articles.batch(THRESHOLD, [rejected], kept) as batch:
        batch.store(record("alpha", "https://alpha.example/news/1", story(1)))
    assert rows(archive, "SELECT url, status, reason FROM pages ORDER BY url") == [
        ("https://alpha.example/news/1", "article", None),
        ("https://alpha.example/tag/x", "not_article", "a tag page"),
    ]
    pages = list(archive.articles.kept_pages("alpha"))
    assert [(p.url, p.response_url, p.fetched_at) for p in pages] == [
        ("https://alpha.example/news/2", "https://alpha.example/news/2", "2024-08-12T10:00"),
        ("https://alpha.example/news/1", "https://alpha.example/n/1", "2024-08-12T11:00"),
    ]
    assert zlib.decompress(pages[0].html) == b"<html>kept</html>"


def test_a_batch_that_fails_leaves_nothing_behind(archive):
    with pytest.raises(RuntimeError), archive.articles.batch(THRESHOLD) as batch:
        batch.store(record("alpha", "https://alpha.example/news/1", story(1)))
        raise RuntimeError("the disk is gone")
    for table in ("articles", "pages", "images", "article_signatures"):
        assert rows(archive, f"SELECT count(*) FROM {table}") == [(0,)]
    assert matches(archive, story(1)[0].split()[3]) == []
    [stored] = store(archive, record("alpha", "https://alpha.example/news/1", story(1)))  # the store still works
    assert stored.outcome == "new"


def test_reindex_rebuilds_the_index_from_the_stored_articles(archive):
    [first] = store(archive, record("alpha", "https://alpha.example/news/1", story(1), title="Harbour news"))
    archive.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    archive.conn.commit()
    assert matches(archive, "harbour") == []
    assert archive.articles.reindex() == 1
    assert matches(archive, "harbour") == [first.article_id]
