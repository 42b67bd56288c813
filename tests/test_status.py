"""Coverage drops: a field that new articles suddenly lack (a site redesign) is flagged; noise is not."""

from crawler.web.status import coverage_drops

USUAL = {"datetime": 1.0, "author": 0.8, "caption": 0.9, "long_body": 0.95}


def test_a_sharp_drop_against_recent_runs_is_flagged():
    latest = {**USUAL, "datetime": 0.1, "caption": 0.85}
    flags = coverage_drops([latest, USUAL, USUAL, {**USUAL, "datetime": 0.9}])
    assert flags == ["datetime coverage fell to 10% (usually 100%)"]


def test_small_changes_first_runs_and_runs_without_new_articles_are_not_flagged():
    assert coverage_drops([{**USUAL, "author": 0.6}, USUAL, USUAL]) == []
    assert coverage_drops([USUAL]) == []
    assert coverage_drops([{}, USUAL]) == []
    assert coverage_drops([{**USUAL, "caption": 0.0}, {}, {}]) == []
