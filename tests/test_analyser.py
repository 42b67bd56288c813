"""The Arabic-aware analyser: the written forms of a word share one term, look-alike words do not."""

import sqlite3

import pytest

from crawler.search.analyser import ANALYSER_VERSION, index_text, normalise, prefix_term, query_term, tokens

SAME_TERM = {
    "diacritics": ["حكومة", "حُكُومَة", "الحُكومةُ", "حكومةٌ"],
    "tatweel": ["كهرباء", "كهربـــاء", "الكهربـاء"],
    "alef forms": ["أمير", "إمير", "آمير", "ٱمير", "امير"],
    "alef with hamza below": ["إعلان", "اعلان", "الإعلان"],
    "ta marbuta as ha": ["شركة", "شركه", "الشركه"],
    "alef maqsura as ya": ["مستشفى", "مستشفي", "المستشفى"],
    "persian kaf and yeh": ["كريم", "کریم", "الکریم"],
    "persian heh with hamza": ["مدرسة", "مدرسۀ"],
    "presentation forms": ["لا", "ﻻ"],
    "presentation forms in a word": ["سلام", "ﺳﻼﻡ"],
    "arabic-indic digits": ["2026", "٢٠٢٦"],
    "persian digits": ["1447", "۱۴۴۷"],
    "latin case": ["Court", "court", "COURT"],
    "latin stemming": ["market", "markets", "Markets", "marketing"],
    "article ال": ["حكومة", "الحكومة"],
    "clitic و": ["حكومة", "وحكومة"],
    "clitic ب": ["حكومة", "بحكومة"],
    "clitic ل": ["حكومة", "لحكومة"],
    "clitic ف": ["حكومة", "فحكومة"],
    "clitic ك": ["حكومة", "كحكومة"],
    "clitics وال": ["حكومة", "والحكومة"],
    "clitics بال": ["حكومة", "بالحكومة"],
    "clitics لل": ["حكومة", "للحكومة"],
    "clitics وبال": ["حكومة", "وبالحكومة"],
    "clitics ولل": ["حكومة", "وللحكومة"],
    "clitics فال": ["حكومة", "فالحكومة"],
    "clitics كال": ["حكومة", "كالحكومة"],
    "clitics وب": ["حكومة", "وبحكومة"],
    "clitics فب": ["حكومة", "فبحكومة"],
    "لل before a word starting with ل": ["لحم", "اللحم", "للحم"],
    "لل before لجنة": ["لجنة", "للجنة", "وللجنة"],
    "the name of God keeps its article": ["الله", "والله", "لله", "باللّه"],
    "clitics on a three-letter word": ["سوق", "بسوق", "وسوق", "لسوق", "فسوق", "وبسوق", "السوق"],
    "clitic و on a word starting with ل": ["لجنة", "ولجنة", "فلجنة"],
    "unknown words: long stems lose clitics": ["زنبرقات", "الزنبرقات", "وزنبرقات", "بزنبرقاتها"],
    "suffix ات": ["سيارة", "سيارات", "السيارات"],
    "suffix ون": ["مهندس", "مهندسون", "المهندسون"],
    "suffix ين": ["مهندس", "مهندسين", "للمهندسين"],
    "suffix ان (dual)": ["مهندس", "مهندسان"],
    "suffix ة": ["مهندس", "مهندسة", "المهندسة"],
    "suffix ه (pronoun)": ["كتاب", "كتابه"],
    "pronoun suffixes": ["كتاب", "كتابها", "كتابهم", "كتابنا", "كتابكم"],
    "ta marbuta as ت before a pronoun": ["سيارة", "سيارته", "سيارتها", "سيارتهم"],
    "feminine dual": ["شركة", "شركتان", "شركتين"],
    "nisba ي and ية": ["اقتصادي", "اقتصادية", "الاقتصاديون", "اقتصاديين", "الاقتصاديات"],
    "accusative tanween alef": ["كبير", "كبيراً", "كبيرا"],
    "own و kept: وزير": ["وزير", "الوزير", "والوزير", "للوزير", "بالوزير"],
    "own و kept: وزارة": ["وزارة", "الوزارة", "والوزارة", "للوزارة", "بالوزارة", "وزارات"],
    "own ب kept: بنك": ["بنك", "البنك", "والبنك", "للبنك", "بالبنك", "بنكه"],
    "own ل kept: لبنان": ["لبنان", "ولبنان", "بلبنان", "للبنان"],
    "own ل kept: لجنة": ["لجنة", "اللجنة", "واللجنة", "باللجنة"],
    "own ف kept: فصل": ["فصل", "الفصل", "والفصل", "بالفصل", "للفصل"],
    "own ف kept: فريق": ["فريق", "الفريق", "بالفريق", "للفريق", "وفريق"],
    "own ك kept: كتاب": ["كتاب", "الكتاب", "والكتاب", "بكتاب", "وكتاب", "للكتاب"],
}

DIFFERENT_TERMS = [
    ("مطار", "أمطار"),
    ("المطار", "الأمطار"),
    ("دين", "دينار"),
    ("دين", "مدينة"),
    ("الدين", "المدينة"),
    ("لحم", "فحم"),
    ("للحم", "بفحم"),
    ("اللحم", "الفحم"),
    ("نار", "منارة"),
    ("نار", "دينار"),
    ("فريق", "أفريقيا"),
    ("فريق", "تفريق"),
    ("فريق", "ريق"),
    ("لجنة", "جنة"),
    ("وزير", "زير"),
    ("وزارة", "زار"),
    ("قانون", "قان"),
    ("court", "courtesy"),
    ("الله", "له"),
    ("سوق", "تسوق"),
]


@pytest.mark.parametrize(("phenomenon", "forms"), SAME_TERM.items(), ids=list(SAME_TERM))
def test_forms_of_a_word_share_one_term(phenomenon, forms):
    terms = {form: query_term(form) for form in forms}
    assert len(set(terms.values())) == 1, terms


@pytest.mark.parametrize(("word", "other"), DIFFERENT_TERMS)
def test_look_alikes_stay_apart(word, other):
    assert query_term(word) != query_term(other)


@pytest.mark.parametrize(
    ("word", "normalised"),
    [
        ("أَحْمَد", "احمد"),
        ("مدرسة", "مدرسه"),
        ("مستشفى", "مستشفي"),
        ("کتاب", "كتاب"),
        ("٢٠٢٦", "2026"),
        ("Straße", "strasse"),
        ("ﻻ", "لا"),
        ("الكهربـــاء", "الكهرباء"),
    ],
)
def test_normalise(word, normalised):
    assert normalise(word) == normalised


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("الشرك", "شرك"),
        ("والشركات", "شركات"),
        ("للحكو", "حكو"),
        ("وزير", "وزير"),
        ("سيارات", "سيارات"),
        ("الأمي", "امي"),
        ("Marke", "marke"),
    ],
)
def test_prefix_term_is_normalised_but_not_stemmed(word, prefix):
    assert prefix_term(word) == prefix


TEXTS = [
    "أعلنت الشركة الوطنية للاتصالات أرباحاً فصلية قياسية، وقال رئيسها التنفيذي إن للشركة خططاً للتوسع.",
    "وجه أمير البلاد كلمة إلى المواطنين (١٤٤٧هـ)، وشكر الأمیر الجميع… «الكهربـــاء» ﷲ ﻻ",
    "The court ruled on 2026-11-01: markets, courtesy & snake_case don't matter.",
    "سيّارة… - ؟ ! 123abc ½",
]


@pytest.mark.parametrize("text", TEXTS)
def test_one_term_per_word_in_order(text):
    pairs = tokens(text)
    assert all(term and " " not in term for _, term in pairs)
    assert [word for word, _ in pairs] == [word for word, _ in pairs if word in text]
    assert index_text(text) == " ".join(term for _, term in pairs)
    assert all(query_term(word) == term for word, term in pairs)


def test_punctuation_is_skipped():
    assert tokens("، . ؟ ! … «»") == []
    assert [w for w, _ in tokens("قال: «نعم»، ثم مضى.")] == ["قال", "نعم", "ثم", "مضى"]


@pytest.mark.parametrize("text", TEXTS)
def test_terms_survive_an_fts5_round_trip(text):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 0')")
    db.execute("INSERT INTO t VALUES (?)", (index_text(text),))
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    fts_terms = [row[0] for row in db.execute("SELECT term FROM v ORDER BY offset")]
    assert fts_terms == [term for _, term in tokens(text)]
    for _, term in tokens(text):
        assert db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{term}"',)).fetchone()[0] == 1


def test_version_is_a_positive_int():
    assert isinstance(ANALYSER_VERSION, int) and ANALYSER_VERSION > 0
