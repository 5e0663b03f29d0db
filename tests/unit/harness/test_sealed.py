"""harness/sealed.py's command line: the sealed sets' texts are never listed, whichever flag asks."""

from __future__ import annotations

import pytest

from harness import sealed


@pytest.mark.parametrize("flags", [["--show"], ["--spanish-sealed", "--show"]])
def test_show_is_refused_for_the_sealed_sets(flags: list) -> None:
    assert sealed.main(["model.tar.gz", "out.json", *flags]) == 2


def test_every_set_but_the_sealed_one_has_a_flag() -> None:
    """The sealed set is the default; bench/evaluate.py finds each other set's flag here."""
    assert set(sealed.FLAGS.values()) == set(sealed.SET_NAMES) - {sealed.SEALED}
    assert set(sealed.SEALED_SETS) == {sealed.SEALED, sealed.SPANISH_SEALED}
