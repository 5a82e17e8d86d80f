"""Tests of the convolutional autoencoder builder, training and save/load (coursework.autoencoders)."""

import numpy as np
import pytest

from coursework.autoencoders import build_cae, describe, evaluate_mse, latent_shape, train_cae
from coursework.configs import CAEConfig
from coursework.experiments import REGISTRY
from coursework.store import load_experiment, save_experiment

EXPERIMENTS = {name: entry.config for name, entry in REGISTRY.items() if isinstance(entry.config, CAEConfig)}


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_maps_its_images_to_themselves(name: str) -> None:
    side = EXPERIMENTS[name].image_size
    model = build_cae(**EXPERIMENTS[name].build_kwargs())
    assert tuple(model.input.shape) == tuple(model.output.shape) == (None, side, side, 3)
    assert model.predict(np.zeros((2, side, side, 3), np.float32), verbose=0).shape == (2, side, side, 3)


@pytest.mark.parametrize(
    ("kwargs", "latent"),
    [
        ({}, (8, 8, 16)),
        ({"strides": 2}, (1, 1, 16)),
        ({"strides": (2, 1, 1)}, (4, 4, 16)),
        ({"strides": (1, 1, 2)}, (4, 4, 16)),
        ({"filters": (8, 16), "kernel_size": 4}, (16, 16, 16)),
        ({"padding": "valid", "decoder": "transposed"}, (5, 5, 16)),
        (
            {"padding": "valid", "decoder": "transposed", "kernel_size": 5},
            (1, 1, 16),
        ),  # 32-4=28, pool 14, 10, pool 5, 1
        ({"decoder": "transposed"}, (8, 8, 16)),
        ({"kernel_size": 5, "filters": (16, 24, 32)}, (8, 8, 32)),
    ],
)
def test_latent_shapes_follow_the_size_formula(kwargs: dict, latent: tuple) -> None:
    model = build_cae(**kwargs)
    assert latent_shape(model) == latent
    assert tuple(model.output.shape[1:]) == (32, 32, 3)


SAME_PADDED = [
    *(config.build_kwargs() for config in EXPERIMENTS.values() if config.padding == "same"),
    {"strides": (2, 1, 1), "pool_size": 4, "filters": (4, 4, 4)},  # 32 -> 16 -> 4 -> 4 -> 1 -> 1
    {"filters": (4, 4, 4, 4, 4, 4), "kernel_size": 5},  # five poolings: a 1x1 latent
    {"pool_size": 1, "strides": (1, 2, 1)},
]


@pytest.mark.parametrize("kwargs", SAME_PADDED)
def test_same_padded_decoders_mirror_their_encoders_without_padding_or_cropping(kwargs: dict) -> None:
    """Every up-sampling undoes one encoder stage exactly, so the output is 32x32 with no layer that fixes its size."""
    import keras

    model = build_cae(**kwargs)
    assert not [
        layer for layer in model.layers if isinstance(layer, (keras.layers.ZeroPadding2D, keras.layers.Cropping2D))
    ]
    assert tuple(model.output.shape[1:]) == (32, 32, 3)
    upsampling = [layer.size[0] for layer in model.layers if isinstance(layer, keras.layers.UpSampling2D)]
    assert np.prod(upsampling) == 32 // latent_shape(model)[0]


def test_valid_padding_decoder_mirrors_every_encoder_side_without_a_border() -> None:
    import keras

    model = build_cae(padding="valid", decoder="transposed")
    sides = [layer.output.shape[1] for layer in model.layers[1:]]
    assert sides == [30, 15, 13, 7, 5, 7, 14, 13, 15, 30, 32]  # the encoder's sides, then the same ones backwards
    assert not [layer for layer in model.layers if isinstance(layer, keras.layers.ZeroPadding2D)]
    (crop,) = [layer for layer in model.layers if isinstance(layer, keras.layers.Cropping2D)]
    assert crop.cropping == ((0, 1), (0, 1))  # only where pooling rounded 13 up to 7
    sigmoid = build_cae(
        padding="valid", decoder="transposed", output_activation="sigmoid"
    )  # never exactly 0 where computed
    outputs = np.asarray(sigmoid(np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)))
    assert np.all(outputs > 0)  # every pixel, the 3-pixel border too, is computed: no zero padding


def test_the_transposed_decoder_with_same_padding_has_the_valid_padding_networks_layers_and_parameters() -> None:
    """So valid padding against it changes the padding alone."""
    same, valid = build_cae(decoder="transposed"), build_cae(padding="valid", decoder="transposed")
    kinds = [
        [type(layer).__name__ for layer in model.layers if "Crop" not in type(layer).__name__]
        for model in (same, valid)
    ]
    assert kinds[0] == kinds[1] and same.count_params() == valid.count_params() == 5675
    sides = [layer.output.shape[1] for layer in same.layers[1:]]
    assert sides == [32, 16, 16, 8, 8, 8, 16, 16, 32, 32]  # same padding: no trimmed pixels, no crop


def test_reference_architecture_layers() -> None:
    model = build_cae()
    text = describe(model)
    assert "latent 8x8x16 = 1024 values" in text
    assert "relu" in next(line for line in text.splitlines() if line.startswith("encoder_conv3"))  # the latent's
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
        ({"filters": (8, 8, 8, 8), "kernel_size": 9, "padding": "valid", "decoder": "transposed"}, "encoder_conv3"),
        ({"padding": "valid"}, "needs decoder='transposed'"),
        ({"decoder": "deconv"}, "decoder must be one of"),
        ({"image_size": 30}, "image_size 30"),
        ({"strides": 2, "filters": (4, 4, 4, 4)}, "128"),
        ({"padding": "valid", "image_size": None}, "needs padding='same'"),
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
    loaded, loaded_history, loaded_config = load_experiment("tiny", CAEConfig, directory=tmp_path)
    batch = x_val[:8].astype(np.float32) / 255
    np.testing.assert_array_equal(model.predict(batch, verbose=0), loaded.predict(batch, verbose=0))
    assert loaded_history == history
    assert loaded_config == config


@pytest.mark.parametrize("field", ["optimizer", "output_activation"])
def test_an_unknown_name_raises_when_the_config_is_made(field: str) -> None:
    with pytest.raises(ValueError, match="'adagrad'"):
        CAEConfig(**{field: "adagrad"})


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((8, 32, 32, 3), np.float32), "x_train.*float32"),
        (np.zeros((8, 32, 32), np.uint8), r"x_train.*\(8, 32, 32\)"),
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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": True}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"patience": -1}, "patience"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
    ],
)
def test_config_rejects_settings_that_cannot_train(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CAEConfig(**kwargs)


def test_build_kwargs_carry_every_architecture_setting_into_the_model() -> None:
    config = CAEConfig(filters=(4, 6), kernel_size=5, strides=2, pool_size=1, output_activation="sigmoid")
    model = build_cae(**config.build_kwargs())
    first, output = model.get_layer("encoder_conv1"), model.get_layer("decoder_output")
    assert (first.filters, first.kernel_size, first.strides) == (4, (5, 5), (2, 2))
    assert output.activation.__name__ == "sigmoid"
    assert not [layer for layer in model.layers if "pool" in layer.name]  # pool_size 1: no pooling layer


@pytest.mark.parametrize(("kernel_size", "strides", "pool_size"), [(3, 2, 1), (1, 2, 2), (4, 3, 2), (2, 2, 3)])
def test_valid_padding_with_strides_mirrors_back_to_the_input_size(
    kernel_size: int, strides: int, pool_size: int
) -> None:
    model = build_cae(
        (4, 4), kernel_size=kernel_size, strides=strides, padding="valid", decoder="transposed", pool_size=pool_size
    )
    assert tuple(model.output.shape[1:]) == (32, 32, 3)


def test_a_new_dataset_is_one_entry_of_the_table(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from coursework.data import DATASETS, Dataset, split

    images, labels = np.zeros((20, 16, 16, 3), np.uint8), (np.arange(20, dtype=np.uint8) % 2)[:, None]
    tiny = Dataset((16, 16, 3), lambda source=None: (images, labels, tmp_path))
    monkeypatch.setitem(DATASETS, "tiny", tiny)
    data = split("tiny")
    assert (len(data.x_train), len(data.x_val), len(data.x_test), data.source) == (16, 2, 2, tmp_path)
    model = build_cae(**CAEConfig(dataset="tiny").build_kwargs())
    assert tuple(model.input.shape) == tuple(model.output.shape) == (None, 16, 16, 3)
    with pytest.raises(ValueError, match="'imagenet'"):
        CAEConfig(dataset="imagenet")


def test_the_config_hands_build_cae_every_architecture_field_it_takes() -> None:
    import inspect
    from dataclasses import fields

    from coursework.configs import ARCHITECTURE_FIELDS

    taken = set(inspect.signature(build_cae).parameters) & {field.name for field in fields(CAEConfig)}
    assert set(ARCHITECTURE_FIELDS) == taken
