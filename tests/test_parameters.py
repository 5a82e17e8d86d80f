"""Notebook parameters from the environment: defaults, accepted spellings, and clear errors for anything else."""

import pytest

from coursework.parameters import env_flag, env_int


def test_unset_variables_give_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUICK", raising=False)
    monkeypatch.delenv("SEEDS", raising=False)
    assert env_flag("QUICK") is False
    assert env_flag("QUICK", default=True) is True
    assert env_int("SEEDS", 30) == 30


@pytest.mark.parametrize(("value", "expected"), [("1", True), (" Yes ", True), ("on", True), ("0", False), ("", False)])
def test_flags_accept_the_usual_spellings(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("QUICK", value)
    assert env_flag("QUICK", default=not expected) is expected


def test_a_flag_that_is_not_yes_or_no_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUICK", "maybe")
    with pytest.raises(ValueError, match=r"QUICK='maybe' is not a yes/no value"):
        env_flag("QUICK")


def test_numbers_are_parsed_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPOCHS", "10_000")
    assert env_int("EPOCHS", 1) == 10_000
    monkeypatch.setenv("EPOCHS", "ten")
    with pytest.raises(ValueError, match="not a whole number"):
        env_int("EPOCHS", 1)
    monkeypatch.setenv("EPOCHS", "0")
    with pytest.raises(ValueError, match="EPOCHS=0 must be at least 1"):
        env_int("EPOCHS", 1)
