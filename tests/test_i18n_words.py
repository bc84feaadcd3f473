"""The English detector the Spanish journey relies on (tests/i18n_words.py)."""

from tests.i18n_words import english_words_in, in_spanish


def test_the_portals_english_is_caught():
    assert english_words_in("Evening summary: 3 packages still open") == [
        "evening", "open", "packages", "still", "summary",
    ]  # fmt: skip


def test_its_spanish_passes_and_names_can_be_allowed():
    spanish = in_spanish("Evening summary") + " · " + in_spanish("Still open")
    assert spanish != "Evening summary · Still open"
    assert english_words_in(spanish) == []
    assert english_words_in("Back Bay Blooms", allowed=frozenset({"Back", "Bay", "Blooms"})) == []
