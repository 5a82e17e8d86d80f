"""Tests of the colorizers: builders, colour bins, training on a learnable colour rule, and colorize()."""

from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from coursework.color import rgb_to_ycrcb, ycrcb_to_rgb
from coursework.colorization import (
    AnnealedMean,
    ColorizerConfig,
    build_colorizer,
    colorize,
    colorizer_from_logits,
    colour_metrics,
    colour_table,
    downsampling_factor,
    fit_bins,
    predict_chroma,
    train_colorizer,
    with_temperature,
)

CONFIGS = {
    "cae_chroma": ColorizerConfig(architecture="cae", filters=(8, 12, 16), target="chroma"),
    "cae_rgb": ColorizerConfig(architecture="cae", filters=(32, 8), target="rgb"),
    "unet_chroma": ColorizerConfig(target="chroma"),
    "unet_bins": ColorizerConfig(target="bins"),
}


def ruled_images(count: int, size: int = 16, seed: int = 0) -> np.ndarray:
    """uint8 RGB images whose colour follows their luminance: dark parts red, bright parts blue."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((count, size // 4, size // 4, 1))
    luma = 0.2 + 0.6 * np.kron(coarse, np.ones((1, 4, 4, 1)))
    chroma = np.concatenate([0.5 - 0.25 * (luma - 0.5), 0.5 + 0.25 * (luma - 0.5)], axis=-1)
    rgb = ycrcb_to_rgb(np.concatenate([luma, chroma], axis=-1))
    return np.round(rgb * 255).astype(np.uint8)


def tiny_bins_colorizer() -> keras.Model:
    """An untrained "bins" colorizer in its saved form, with a handful of classes."""
    keras.utils.set_random_seed(0)
    bins = fit_bins(ruled_images(8), bin_size=0.1, rebalance=0.5)
    logits = build_colorizer(ColorizerConfig(filters=(4, 4, 4)), classes=len(bins.centres))
    return colorizer_from_logits(logits, bins.centres, temperature=0.38)


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("size", [(32, 32), (64, 48)])
def test_colorizers_are_fully_convolutional(name: str, size: tuple) -> None:
    config = CONFIGS[name]
    model = build_colorizer(config, classes=7)
    if config.target == "bins":
        assert tuple(model(np.zeros((2, *size, 1), np.float32)).shape) == (2, size[0] // 2, size[1] // 2, 7)
        model = colorizer_from_logits(model, np.full((7, 2), 0.5, np.float32), temperature=0.38)
    channels = 3 if config.target == "rgb" else 2
    output = np.asarray(model(np.zeros((2, *size, 1), np.float32)))
    assert output.shape == (2, *size, channels)
    assert predict_chroma(model, np.zeros((2, *size, 1), np.float32)).shape == (2, *size, 2)


def test_downsampling_factor_counts_the_poolings() -> None:
    assert downsampling_factor(build_colorizer(CONFIGS["cae_chroma"])) == 4
    assert downsampling_factor(build_colorizer(CONFIGS["cae_rgb"])) == 2
    assert downsampling_factor(build_colorizer(CONFIGS["unet_chroma"])) == 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "lab"}, "target"),
        ({"architecture": "resnet"}, "architecture"),
        ({"architecture": "cae", "target": "bins"}, "needs architecture 'unet'"),
        ({"temperature": 0.0}, "temperature"),
        ({"bin_size": 0.0}, "bin_size"),
    ],
)
def test_bad_configs_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ColorizerConfig(**kwargs)


def test_bins_cover_the_data_and_weights_average_one() -> None:
    images = ruled_images(32)
    bins = fit_bins(images, bin_size=0.05, rebalance=0.5)
    assert bins.cell_to_class.shape == (bins.cells**2,) and bins.cells == 20
    assert bins.cell_to_class.min() == 0 and bins.cell_to_class.max() == len(bins.centres) - 1
    # The data's chroma lies on a line from (0.575, 0.425) to (0.425, 0.575): a few cells along it, not the plane.
    assert 2 <= len(bins.centres) <= 10
    assert np.all(np.abs(bins.centres.sum(axis=1) - 1.0) <= 0.1)
    assert np.all(bins.weights > 0)
    unweighted = fit_bins(images, bin_size=0.05, rebalance=1.0)
    np.testing.assert_allclose(unweighted.weights, 1.0, rtol=1e-6)


def test_rare_colours_get_larger_weights() -> None:
    images = ruled_images(64)
    bins = fit_bins(images, bin_size=0.05, rebalance=0.0)
    from coursework.colorization import _grid_cells, half_resolution_chroma

    cells = _grid_cells(half_resolution_chroma(images.astype(np.float32) / 255), 0.05).numpy().ravel()
    counts = np.bincount(bins.cell_to_class[cells], minlength=len(bins.centres))
    assert bins.weights[np.argmin(counts)] > bins.weights[np.argmax(counts)]


def test_annealed_mean_moves_from_the_mean_to_the_mode() -> None:
    centres = np.array([[0.2, 0.5], [0.8, 0.5]], np.float32)
    logits = np.log(np.array([[[[0.7, 0.3]]]], np.float32))
    mean = np.asarray(AnnealedMean(centres, 1.0)(logits))[0, 0, 0]
    mode = np.asarray(AnnealedMean(centres, 0.01)(logits))[0, 0, 0]
    np.testing.assert_allclose(mean, [0.7 * 0.2 + 0.3 * 0.8, 0.5], atol=1e-6)
    np.testing.assert_allclose(mode, [0.2, 0.5], atol=1e-6)


def test_saved_bins_colorizer_loads_with_its_temperature(tmp_path: Path) -> None:
    model = tiny_bins_colorizer()
    path = tmp_path / "colorizer.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    luma = np.random.default_rng(0).random((2, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(predict_chroma(loaded, luma), predict_chroma(model, luma), atol=1e-6)
    assert loaded.get_layer("annealed_mean").temperature == pytest.approx(0.38)
    hotter = with_temperature(loaded, 1.0)
    assert hotter.get_layer("annealed_mean").temperature == 1.0
    assert not np.allclose(predict_chroma(hotter, luma), predict_chroma(loaded, luma))


@pytest.mark.parametrize("name", ["cae_chroma", "unet_bins"])
def test_training_learns_a_colour_rule_beyond_the_mean_chroma(name: str) -> None:
    from dataclasses import replace

    images, validation = ruled_images(256, seed=1), ruled_images(64, seed=2)
    config = replace(CONFIGS[name], filters=(8, 8, 8), epochs=15, batch_size=16, learning_rate=3e-3, patience=None)
    model, history = train_colorizer(config, images, validation, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    truth = rgb_to_ycrcb(validation.astype(np.float32) / 255)
    mean_chroma_mse = np.mean((truth[..., 1:] - truth[..., 1:].mean(axis=(0, 1, 2))) ** 2)
    predicted = predict_chroma(model, truth[..., :1])
    metrics = colour_metrics(predicted, validation)
    assert metrics["chroma_mse"].mean() < 0.5 * mean_chroma_mse
    assert metrics["colourfulness"].mean() > 0.5 * metrics["true_colourfulness"].mean()


def test_training_rejects_float_images() -> None:
    with pytest.raises(ValueError, match="uint8"):
        train_colorizer(CONFIGS["cae_chroma"], ruled_images(4).astype(np.float32), ruled_images(4), verbose=False)


# --- colorize() ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return tiny_bins_colorizer()


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_ycrcb(rgb.astype(np.float32) / (255 if rgb.dtype == np.uint8 else 1))[..., 0]


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [
        ((32, 32, 3), np.uint8),
        ((37, 45, 3), np.uint8),  # not a multiple of the factor: padded and cropped
        ((2, 32, 32, 3), np.float32),
        ((2, 24, 40, 1), np.float64),
        ((32, 32, 1), np.uint8),
        ((30, 20), np.float32),
    ],
)
def test_colorize_keeps_size_dtype_and_luminance(model: keras.Model, shape: tuple, dtype: type) -> None:
    values = np.random.default_rng(0).random(shape)
    images = np.round(values * 255).astype(np.uint8) if dtype == np.uint8 else values.astype(dtype)
    out = colorize(images, model)
    batch = len(shape) == 4
    expected_shape = (*shape[: 3 if batch else 2], 3)
    assert out.shape == expected_shape and out.dtype == dtype
    scaled = images.astype(np.float32) / (255 if dtype == np.uint8 else 1)
    if scaled.ndim == 2 or scaled.shape[-1] == 1:
        target_luma = scaled if scaled.ndim == 2 else scaled[..., 0]
    else:
        target_luma = luminance(scaled)
    # Luminance is kept, up to uint8 rounding and the clipping of out-of-gamut colours.
    assert np.median(np.abs(luminance(out) - target_luma)) < 0.01


def test_colorize_reads_rgb_and_gray_files(model: keras.Model, tmp_path: Path) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (20, 28, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    Image.fromarray(rgb[..., 0]).save(tmp_path / "gray.png")
    from_file = colorize(tmp_path / "rgb.png", model)
    assert from_file.shape == (20, 28, 3) and from_file.dtype == np.uint8
    np.testing.assert_array_equal(from_file, colorize(rgb, model))
    assert colorize(str(tmp_path / "gray.png"), model).shape == (20, 28, 3)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros(5, np.uint8), "must be"),
        (np.zeros((8, 8, 4), np.uint8), "must be"),
        (np.zeros((1, 1, 8, 8, 3), np.uint8), "must be"),
        (np.full((8, 8, 3), np.nan, np.float32), "NaN"),
        (np.full((8, 8, 3), 2.0, np.float32), r"\[0, 1\]"),
        (np.zeros((8, 8, 3), np.int32), "dtype"),
        (np.zeros((0, 8, 8, 3), np.uint8), "empty"),
    ],
)
def test_colorize_rejects_bad_arrays(model: keras.Model, images: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        colorize(images, model)


def test_colorize_rejects_missing_and_non_image_files(model: keras.Model, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read an image"):
        colorize(tmp_path / "missing.png", model)
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match="cannot read an image"):
        colorize(tmp_path / "notes.txt", model)


def test_colour_table_scores_the_baselines_and_a_perfect_model() -> None:
    train, test = ruled_images(32, seed=3), ruled_images(16, seed=4)

    class Oracle(keras.Model):
        """Knows the colour rule: chroma is a linear function of luminance."""

        def call(self, luma):
            return keras.ops.concatenate([0.5 - 0.25 * (luma - 0.5), 0.5 + 0.25 * (luma - 0.5)], axis=-1)

    table, predictions, metrics = colour_table({"oracle": Oracle()}, train, test)
    assert list(table.index) == ["no colour", "mean chroma", "oracle"]
    assert table.loc["mean chroma", "vs_mean_chroma"] == pytest.approx(1.0)
    assert table.loc["no colour", "colourfulness"] == pytest.approx(0.0, abs=1e-6)
    # uint8 rounding of the ground truth is all that separates the oracle from it.
    assert table.loc["oracle", "vs_mean_chroma"] < 0.1
    assert table.loc["oracle", "vs_truth"] == pytest.approx(1.0, rel=0.05)
    assert predictions["oracle"].shape == (16, 16, 16, 2) and metrics["oracle"]["chroma_mse"].shape == (16,)


def test_committed_colorizers_load_and_colour_any_size() -> None:
    from coursework.cae_experiments import COLORIZERS
    from coursework.colorization import load_colorizer

    gray = np.linspace(0, 255, 40 * 50).reshape(40, 50).astype(np.uint8)
    assert colorize(gray).shape == (40, 50, 3)  # the default, models/colorizer.keras
    for name, config in COLORIZERS.items():
        model = load_colorizer(name)
        channels = 3 if config.target == "rgb" else 2
        assert model.output.shape[-1] == channels
        assert colorize(gray, model).shape == (40, 50, 3)
