"""Tests of the convolutional autoencoder builder, training and save/load (coursework.autoencoders)."""

import numpy as np
import pytest

from coursework.autoencoders import (
    CAEConfig,
    build_cae,
    describe,
    evaluate_mse,
    latent_shape,
    load_experiment,
    save_experiment,
    train_cae,
)
from coursework.cae_experiments import EXPERIMENTS


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_maps_32x32x3_to_itself(name: str) -> None:
    model = build_cae(**EXPERIMENTS[name].build_kwargs())
    assert tuple(model.input.shape) == (None, 32, 32, 3)
    assert tuple(model.output.shape) == (None, 32, 32, 3)
    assert model.predict(np.zeros((2, 32, 32, 3), np.float32), verbose=0).shape == (2, 32, 32, 3)


@pytest.mark.parametrize(
    ("kwargs", "latent"),
    [
        ({}, (8, 8, 16)),
        ({"strides": 2}, (1, 1, 16)),
        ({"strides": (2, 1, 1)}, (4, 4, 16)),
        ({"strides": (1, 1, 2)}, (4, 4, 16)),
        ({"filters": (8, 16), "kernel_size": 4}, (16, 16, 16)),
        ({"padding": "valid"}, (5, 5, 16)),
        ({"padding": "valid", "kernel_size": 5}, (1, 1, 16)),  # 32-4=28, pool 14, 10, pool 5, 1
        ({"kernel_size": 5, "filters": (16, 24, 32)}, (8, 8, 32)),
    ],
)
def test_latent_shapes_follow_the_size_formula(kwargs: dict, latent: tuple) -> None:
    model = build_cae(**kwargs)
    assert latent_shape(model) == latent
    assert tuple(model.output.shape[1:]) == (32, 32, 3)


def test_reference_architecture_layers() -> None:
    model = build_cae()
    text = describe(model)
    assert "latent 8x8x16 = 1024 values" in text
    assert [layer.name for layer in model.layers[1:]] == [
        "encoder_conv1",
        "encoder_pool1",
        "encoder_conv2",
        "encoder_pool2",
        "encoder_conv3",
        "decoder_upsample2",
        "decoder_conv2",
        "decoder_upsample1",
        "decoder_output",
    ]
    assert model.count_params() == 4911


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": (8,)}, "at least two"),
        ({"strides": (1, 2)}, "one per encoder convolution"),
        ({"padding": "causal"}, "padding must be"),
        ({"filters": (8, 8, 8, 8), "kernel_size": 9, "padding": "valid"}, "zero or negative"),  # raised by Keras
    ],
)
def test_bad_architectures_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_cae(**kwargs)


def smooth_images(count: int, seed: int = 0) -> np.ndarray:
    """Images of smooth colour gradients: easy to compress, so a few epochs must lower the loss."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, 32)
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    weights = rng.uniform(-1, 1, (count, 3, 3))
    planes = np.stack([np.ones_like(xx), xx, yy])
    images = np.einsum("ncp,pij->nijc", weights, planes) * 0.5 + 0.5
    return (np.clip(images, 0, 1) * 255).astype(np.uint8)


def test_short_training_lowers_the_loss_and_round_trips(tmp_path) -> None:
    x_train, x_val = smooth_images(384), smooth_images(64, seed=1)
    config = CAEConfig(epochs=3, batch_size=32, seed=0)
    model, history = train_cae(config, x_train, x_val, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    before, per_image = evaluate_mse(model, x_val)
    assert per_image.shape == (64,) and before == pytest.approx(per_image.mean())

    save_experiment("tiny", model, history, config, directory=tmp_path)
    loaded, loaded_history, loaded_config = load_experiment("tiny", directory=tmp_path)
    batch = x_val[:8].astype(np.float32) / 255
    np.testing.assert_array_equal(model.predict(batch, verbose=0), loaded.predict(batch, verbose=0))
    assert loaded_history == history
    assert loaded_config == config


def test_unknown_optimizer_raises() -> None:
    with pytest.raises(ValueError, match="unknown optimizer"):
        train_cae(CAEConfig(optimizer="adagrad", epochs=1), smooth_images(8), smooth_images(8), verbose=False)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((8, 32, 32, 3), np.float32), "x_train must be uint8"),
        (np.zeros((8, 32, 32), np.uint8), r"x_train must have shape \(N, height, width, 3\)"),
    ],
)
def test_training_rejects_images_that_are_not_uint8_rgb(images: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        train_cae(CAEConfig(epochs=1), images, smooth_images(8), verbose=False)


def test_project_pipeline_reaches_the_loss_of_plain_fit() -> None:
    """train_cae (uint8 in memory, float per batch, seeded shuffle) against model.fit on float arrays: same epochs,
    same final validation loss within tolerance (batch order differs, so not bit for bit)."""
    import keras

    x_train, x_val = smooth_images(512), smooth_images(128, seed=1)
    config = CAEConfig(epochs=6, batch_size=32, seed=0)
    _, history = train_cae(config, x_train, x_val, verbose=False)

    keras.backend.clear_session()
    keras.utils.set_random_seed(config.seed)
    model = build_cae(**config.build_kwargs())
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate), loss="mse")  # Keras' defaults
    train_float, val_float = x_train.astype(np.float32) / 255, x_val.astype(np.float32) / 255
    plain = model.fit(
        train_float, train_float, validation_data=(val_float, val_float), epochs=6, batch_size=32, verbose=0
    )
    assert history["val_loss"][-1] == pytest.approx(plain.history["val_loss"][-1], rel=0.1)
    assert history["val_loss"][-1] < 0.5 * history["val_loss"][0]


def test_pipeline_yields_every_image_once_per_epoch_in_a_seeded_order() -> None:
    from coursework.autoencoders import image_dataset

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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be a whole number >= 1"),
        ({"epochs": True}, "epochs must be a whole number >= 1"),
        ({"epochs": 2.5}, "epochs must be a whole number >= 1"),
        ({"batch_size": 0}, "batch_size"),
        ({"patience": -1}, "patience"),
        ({"learning_rate": -1e-3}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number > 0"),
    ],
)
def test_config_rejects_settings_that_cannot_train(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CAEConfig(**kwargs)


def test_load_experiment_explains_a_config_from_another_version(tmp_path) -> None:
    import json

    save_experiment("tiny", build_cae(), {"loss": [0.1]}, CAEConfig(), directory=tmp_path)
    config_path = tmp_path / "tiny.config.json"
    config_path.write_text(json.dumps(json.loads(config_path.read_text()) | {"warmup_epochs": 2}))
    with pytest.raises(ValueError, match=r"\['warmup_epochs'\].*another version.*cae_experiments tiny --retrain"):
        load_experiment("tiny", directory=tmp_path)


def test_truncated_model_file_is_reported_as_corrupt_not_missing(tmp_path) -> None:
    from coursework.autoencoders import load_model_file

    save_experiment("tiny", build_cae(), {"loss": [0.1]}, CAEConfig(), directory=tmp_path)
    model_path = tmp_path / "tiny.keras"
    model_path.write_bytes(model_path.read_bytes()[:1000])  # an interrupted copy
    with pytest.raises(ValueError, match="truncated or corrupt.*cae_experiments tiny --retrain"):
        load_experiment("tiny", directory=tmp_path)
    with pytest.raises(FileNotFoundError, match="absent.keras not found"):
        load_model_file(tmp_path / "absent.keras")
