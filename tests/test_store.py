"""Tests of the model store (coursework.store): errors that name the fix, and a missing models folder."""

import json

import numpy as np
import pytest

import coursework.store as store
from coursework.autoencoders import build_cae
from coursework.configs import CAEConfig
from coursework.store import load_experiment, load_model_file, model_paths, save_experiment


def test_load_experiment_explains_a_config_from_another_version(tmp_path) -> None:
    save_experiment("tiny", build_cae(), {"loss": [0.1]}, CAEConfig(), directory=tmp_path)
    config_path = tmp_path / "tiny.config.json"
    config_path.write_text(json.dumps(json.loads(config_path.read_text()) | {"warmup_epochs": 2}))
    with pytest.raises(ValueError, match=r"\['warmup_epochs'\].*coursework.experiments tiny --retrain"):
        load_experiment("tiny", CAEConfig, directory=tmp_path)


def test_truncated_model_file_is_reported_as_corrupt_not_missing(tmp_path) -> None:
    save_experiment("tiny", build_cae(), {"loss": [0.1]}, CAEConfig(), directory=tmp_path)
    model_path = tmp_path / "tiny.keras"
    model_path.write_bytes(model_path.read_bytes()[:1000])  # an interrupted copy
    with pytest.raises(ValueError, match="coursework.experiments tiny --retrain"):
        load_experiment("tiny", CAEConfig, directory=tmp_path)
    with pytest.raises(FileNotFoundError, match="absent.keras.*coursework.experiments absent`"):
        load_model_file(tmp_path / "absent.keras")


def test_a_missing_models_folder_names_the_fix(tmp_path, monkeypatch) -> None:
    """An installed (non-editable) package has no models/ beside it: say so, rather than look or train there."""
    from coursework.colorization import Ensemble, colorize
    from coursework.experiments.runs import load

    monkeypatch.setattr(store, "MODELS_DIR", tmp_path / "site-packages" / "models")
    message = r"models directory .*site-packages/models not found.*clone the repository and `pip install -e \.`"
    with pytest.raises(FileNotFoundError, match=message):
        model_paths("cae_base")
    with pytest.raises(FileNotFoundError, match=message):
        load("cae_base")
    with pytest.raises(FileNotFoundError, match=message):
        colorize(np.zeros((8, 8), np.uint8), Ensemble(("my_colorizer",)))
    assert model_paths("cae_base", tmp_path)["model"] == tmp_path / "cae_base.keras"  # an explicit folder still works
