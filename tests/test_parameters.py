"""Notebook parameters from the environment: defaults, accepted spellings, and clear errors for anything else."""

import pytest

from coursework.parameters import PARAMETERS, backprop_run_sizes, backprop_seeds, env_flag, env_int, run_kind
from coursework.paths import REPO_ROOT


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
    with pytest.raises(ValueError, match="QUICK='maybe'"):
        env_flag("QUICK")


def test_numbers_are_parsed_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPOCHS", " 10_000 ")
    assert env_int("EPOCHS", 1) == 10_000
    monkeypatch.setenv("EPOCHS", "ten")
    with pytest.raises(ValueError, match="not a whole number"):
        env_int("EPOCHS", 1)
    monkeypatch.setenv("EPOCHS", "0")
    with pytest.raises(ValueError, match="EPOCHS=0"):
        env_int("EPOCHS", 1)


def test_odd_spellings_of_numbers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("_1_", "1e4", "1.5", "-1", "١٠", ""):
        monkeypatch.setenv("SEEDS", value)
        with pytest.raises(ValueError, match="SEEDS="):
            env_int("SEEDS", 1)


def test_the_run_is_full_unless_a_parameter_changes_results(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PARAMETERS:
        monkeypatch.delenv(name, raising=False)
    assert run_kind() == "full"
    monkeypatch.setenv("QUICK", "0")
    assert run_kind() == "full"
    monkeypatch.setenv("SEEDS", "20")
    assert run_kind() == "exploratory"
    monkeypatch.delenv("SEEDS")
    monkeypatch.setenv("QUICK", "TRUE")
    assert run_kind() == "exploratory"
    monkeypatch.setenv("QUICK", "maybe")
    with pytest.raises(ValueError, match="QUICK='maybe'"):
        run_kind()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Quick", "did you mean QUICK"),
        ("SEED", "did you mean SEEDS"),
        ("eval_images", "did you mean EVAL_IMAGES"),
    ],
)
def test_names_that_are_almost_a_parameters_are_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    monkeypatch.setenv(name, "1")
    with pytest.raises(ValueError, match=message):
        run_kind()


def test_the_makefile_knows_every_parameter() -> None:
    """`make test` unsets them all, so that nbval always checks the full run."""
    makefile = (REPO_ROOT / "Makefile").read_text()
    listed = next(line for line in makefile.splitlines() if line.startswith("NOTEBOOK_PARAMETERS :="))
    assert listed.split(":=")[1].split() == list(PARAMETERS)


def test_run_sizes_default_to_the_full_run_and_follow_the_parameters(monkeypatch) -> None:
    for name in ("QUICK", "LR_SEEDS", "SEEDS", "EPOCHS"):
        monkeypatch.delenv(name, raising=False)
    assert backprop_run_sizes() == (30, 60, 10_000)
    monkeypatch.setenv("QUICK", "1")
    monkeypatch.setenv("EPOCHS", "50")
    assert backprop_run_sizes() == (6, 4, 50)
    assert backprop_seeds() == (range(18), range(18, 30))  # three times LR_SEEDS choose, the next two times test
