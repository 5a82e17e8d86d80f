"""Tests of the shared training loop's pieces (coursework.training) that the model tests do not reach."""

import numpy as np
import pytest

from coursework.training import STEPS_PER_EXECUTION, compile_model, image_dataset


def test_pipeline_yields_every_image_once_per_epoch_in_a_seeded_order() -> None:
    images = np.arange(100, dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)

    def epochs(seed: int) -> list[list[int]]:
        dataset = image_dataset(images, 16, shuffle_seed=seed)
        return [[int(v) for x, _ in dataset for v in np.round(x.numpy()[:, 0, 0, 0] * 255)] for _ in range(2)]

    first, second = epochs(3)
    assert sorted(first) == sorted(second) == list(range(100))
    assert first != second  # reshuffled every epoch
    assert epochs(3) == [first, second]  # the same seed, the same order
    unshuffled = [
        int(v) for x, _ in image_dataset(images, 16, shuffle_seed=None) for v in np.round(x.numpy()[:, 0, 0, 0] * 255)
    ]
    assert unshuffled == list(range(100))


def test_every_model_compiles_with_the_same_steps_per_execution() -> None:
    from coursework.autoencoders import CAEConfig, build_cae, compile_cae
    from coursework.colorization import ColorizerConfig, build_colorizer

    autoencoder, colorizer = build_cae(), build_colorizer(ColorizerConfig(target="chroma"))
    compile_cae(autoencoder, CAEConfig(optimizer="sgd"))
    compile_model(colorizer, "mse", 1e-3)
    assert autoencoder.steps_per_execution == colorizer.steps_per_execution == STEPS_PER_EXECUTION
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        compile_model(colorizer, "mse", 1e-3, "adagrad")
