"""Tests of the colorizers: builders, colour bins, training on a learnable colour rule, and colorize()."""

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from coursework.color import gray_image, mean_chroma, rgb_to_ycrcb, split_luma_chroma, ycrcb_to_rgb
from coursework.colorization import (
    ColorizerConfig,
    build_colorizer,
    build_unet,
    colorize,
    colorizer_from_logits,
    decoding_temperature,
    downsampling_factor,
    fit_bins,
    predict_chroma,
    scene_split,
    tiling_geometry,
    train_colorizer,
    with_temperature,
)
from coursework.evaluation.colour import (
    average_colour_oracle,
    choose_colorizer,
    colour_metrics,
    colour_table,
    tradeoff_table,
)

CONFIGS = {
    "cae_chroma": ColorizerConfig(architecture="cae", filters=(8, 12, 16), target="chroma"),
    "cae_rgb": ColorizerConfig(architecture="cae", filters=(32, 8), target="rgb"),
    "unet_chroma": ColorizerConfig(target="chroma"),
    "unet_bins": ColorizerConfig(target="bins"),
    "unet_global": ColorizerConfig(target="chroma", global_features=8),
    "unet_bins_global": ColorizerConfig(target="bins", global_features=8),
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
        ({"global_features": -1}, "global_features"),
        ({"global_features": 1.5}, "global_features"),
        ({"global_features": True}, "global_features"),
        ({"architecture": "cae", "target": "chroma", "global_features": 8}, "needs architecture 'unet'"),
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
    # The expected weight of a training pixel is 1, whatever the rebalancing: the loss keeps its scale.
    from coursework.colorization.bins import grid_cells, half_resolution_chroma

    cells = grid_cells(half_resolution_chroma(images.astype(np.float32) / 255), 0.05).numpy().ravel()
    frequencies = np.bincount(bins.cell_to_class[cells], minlength=len(bins.centres)) / cells.size
    assert np.sum(frequencies * bins.weights) == pytest.approx(1.0, rel=1e-5)
    assert bins.weights.max() > 1.05 * bins.weights.min()  # 0.5 does rebalance: the weights are not all 1
    unweighted = fit_bins(images, bin_size=0.05, rebalance=1.0)
    np.testing.assert_allclose(unweighted.weights, 1.0, rtol=1e-6)


def test_rare_colours_get_larger_weights() -> None:
    images = ruled_images(64)
    bins = fit_bins(images, bin_size=0.05, rebalance=0.0)
    from coursework.colorization.bins import grid_cells, half_resolution_chroma

    cells = grid_cells(half_resolution_chroma(images.astype(np.float32) / 255), 0.05).numpy().ravel()
    counts = np.bincount(bins.cell_to_class[cells], minlength=len(bins.centres))
    assert bins.weights[np.argmin(counts)] > bins.weights[np.argmax(counts)]


def test_annealed_mean_moves_from_the_mean_to_the_mode() -> None:
    centres = np.array([[0.2, 0.5], [0.8, 0.5]], np.float32)
    logits = keras.Input((None, None, 2))
    logits_model = keras.Model(logits, logits)  # the identity: these logits go straight to the decoder
    values = np.log(np.array([[[[0.7, 0.3]] * 2] * 2], np.float32))  # (1, 2, 2, 2): the same distribution everywhere
    mean = np.asarray(colorizer_from_logits(logits_model, centres, 1.0)(values))[0, 0, 0]
    mode = np.asarray(colorizer_from_logits(logits_model, centres, 0.01)(values))[0, 0, 0]
    np.testing.assert_allclose(mean, [0.7 * 0.2 + 0.3 * 0.8, 0.5], atol=1e-6)
    np.testing.assert_allclose(mode, [0.2, 0.5], atol=1e-6)


def test_saved_bins_colorizer_loads_with_its_temperature(tmp_path: Path) -> None:
    model = tiny_bins_colorizer()
    path = tmp_path / "colorizer.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    luma = np.random.default_rng(0).random((2, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(predict_chroma(loaded, luma), predict_chroma(model, luma), atol=1e-6)
    assert decoding_temperature(loaded) == 0.38
    hotter = with_temperature(loaded, 1.0)
    assert decoding_temperature(hotter) == 1.0
    assert not np.allclose(predict_chroma(hotter, luma), predict_chroma(loaded, luma))


def test_committed_colorizers_load_with_plain_keras() -> None:
    """Every committed colorizer is made of Keras's own layers: a fresh Python loads it without this package."""
    import subprocess
    import sys

    from coursework.store import MODELS_DIR

    files = sorted(str(path) for path in MODELS_DIR.glob("colorizer*.keras"))
    script = "import sys, keras\nfor path in sys.argv[1:]: keras.models.load_model(path)\nprint(len(sys.argv) - 1)"
    result = subprocess.run([sys.executable, "-c", script, *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(len(files)) and len(files) >= 6


def test_global_branch_lets_every_pixel_depend_on_the_whole_image() -> None:
    keras.utils.set_random_seed(0)
    local, scene = build_colorizer(CONFIGS["unet_chroma"]), build_colorizer(CONFIGS["unet_global"])
    luma = np.random.default_rng(0).random((1, 64, 64, 1)).astype(np.float32)
    changed = luma.copy()
    changed[:, -8:, -8:] = 1 - changed[:, -8:, -8:]  # change only the bottom-right corner
    for model, reaches_far_corner in ((local, False), (scene, True)):
        far = np.abs(np.asarray(model(changed)) - np.asarray(model(luma)))[0, :8, :8]  # the top-left corner
        assert bool(far.max() > 0) == reaches_far_corner
    assert tiling_geometry(scene) is None  # so colorize never tiles it: a tile would see another scene


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
    from coursework.colorization import load_colorizer
    from coursework.experiments import REGISTRY, names

    gray = np.linspace(0, 255, 40 * 50).reshape(40, 50).astype(np.uint8)
    assert colorize(gray).shape == (40, 50, 3)  # the default, models/colorizer.keras
    for name in names("colorizer") + names("ablation"):
        config = REGISTRY[name].config
        model = load_colorizer(name)
        channels = 3 if config.target == "rgb" else 2
        assert model.output.shape[-1] == channels
        assert colorize(gray, model).shape == (40, 50, 3)


# --- bad input: bins, temperature, training settings ---------------------------------------------------------------


def flat_colour_images(chroma_pairs: list[tuple[float, float]], size: int = 4) -> np.ndarray:
    """One flat uint8 image per (Cr, Cb) pair, at mid luminance."""
    ycrcb = np.array([[0.5, cr, cb] for cr, cb in chroma_pairs], np.float32)[:, None, None, :]
    rgb = ycrcb_to_rgb(np.broadcast_to(ycrcb, (len(chroma_pairs), size, size, 3)))
    return np.round(rgb * 255).astype(np.uint8)


@pytest.mark.parametrize("side", [1, 2, 3, 6, 7, 9])
def test_gaussian_smooth_keeps_the_shape_of_grids_smaller_than_its_kernel(side: int) -> None:
    from coursework.colorization.bins import _gaussian_smooth

    grid = np.random.default_rng(side).random((side, side + 1))
    smoothed = _gaussian_smooth(grid, sigma=1.0)
    assert smoothed.shape == grid.shape
    offsets = np.arange(-3, 4)
    kernel = np.exp(-0.5 * offsets**2) / np.exp(-0.5 * offsets**2).sum()
    expected = np.zeros_like(grid)  # the blur by its definition: zero outside the grid
    for row, col in np.ndindex(grid.shape):
        for dr, dc in np.ndindex(7, 7):
            if 0 <= row + dr - 3 < grid.shape[0] and 0 <= col + dc - 3 < grid.shape[1]:
                expected[row, col] += kernel[dr] * kernel[dc] * grid[row + dr - 3, col + dc - 3]
    np.testing.assert_allclose(smoothed, expected, atol=1e-12)


def test_class_weights_of_a_coarse_grid_are_one_for_equally_common_colours() -> None:
    images = flat_colour_images([(0.4, 0.4), (0.4, 0.6), (0.6, 0.4), (0.6, 0.6)])  # one per cell of a 2x2 grid
    bins = fit_bins(images, bin_size=0.5, rebalance=0.0)
    assert len(bins.centres) == 4
    np.testing.assert_allclose(bins.weights, 1.0, rtol=1e-5)


@pytest.mark.parametrize("bin_size", [0.3, 0.45, 0.33])  # centres of the last cells were 1.05, 1.125, 1.155
def test_colour_bin_centres_lie_inside_the_unit_square_for_any_bin_size(bin_size: float) -> None:
    primaries = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255], [255, 0, 255]])
    images = np.broadcast_to(primaries[:, None, None, :], (6, 4, 4, 3)).astype(np.uint8)  # Cr or Cb of 0 or 1
    bins = fit_bins(images, bin_size=bin_size, rebalance=0.5)
    assert bins.centres.min() >= 0 and bins.centres.max() <= 1
    last_cell_start = (bins.cells - 1) * bin_size
    assert bins.centres.max() == pytest.approx((last_cell_start + 1) / 2)  # the middle of the narrower last cell


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_temperature_must_be_finite_and_positive(model: keras.Model, temperature: float) -> None:
    with pytest.raises(ValueError, match="temperature must be"):
        ColorizerConfig(temperature=temperature)
    with pytest.raises(ValueError, match="temperature must be"):
        with_temperature(model, temperature)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_colorizer_config_rejects_settings_that_cannot_train(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ColorizerConfig(**kwargs)


# --- colorize(): files as real photos come -------------------------------------------------------------------------


def gradient(height: int = 24, width: int = 32) -> np.ndarray:
    """A smooth float gray image in [0, 1]."""
    return np.linspace(0, 1, height * width, dtype=np.float32).reshape(height, width)


def test_colorize_reads_16_bit_png_by_its_bit_depth(model: keras.Model, tmp_path: Path) -> None:
    gray16 = np.round(gradient() * 65535).astype(np.uint16)
    Image.fromarray(gray16).save(tmp_path / "gray16.png")
    expected = np.round(colorize(gray16.astype(np.float32) / 65535, model) * 255).astype(np.uint8)
    np.testing.assert_array_equal(colorize(tmp_path / "gray16.png", model), expected)


@pytest.mark.parametrize(("white", "scale"), [(65535, 65535), (255, 255), (1000, 65535), (2**31 - 1, 2**31 - 1)])
def test_colorize_scales_int32_tiff_by_the_narrowest_bit_depth_that_holds_it(
    model: keras.Model, tmp_path: Path, white: int, scale: int
) -> None:
    values = np.round(gradient().astype(np.float64) * white).astype(np.int32)
    Image.fromarray(values).save(tmp_path / "gray.tif")
    expected = np.round(colorize((values / scale).astype(np.float32), model) * 255).astype(np.uint8)
    np.testing.assert_array_equal(colorize(tmp_path / "gray.tif", model), expected)


def test_colorize_reads_float_tiff_in_the_unit_range(model: keras.Model, tmp_path: Path) -> None:
    Image.fromarray(gradient()).save(tmp_path / "gray.tif")
    expected = np.round(colorize(gradient(), model) * 255).astype(np.uint8)
    np.testing.assert_array_equal(colorize(tmp_path / "gray.tif", model), expected)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (gradient() * 255, r"float pixels must be finite and lie in \[0, 1\]"),
        (np.full((8, 8), np.nan, np.float32), "float pixels must be finite"),
        (np.round(gradient() * 100).astype(np.int32) - 50, ">= 0"),
    ],
)
def test_colorize_rejects_tiff_values_it_cannot_scale(
    model: keras.Model, tmp_path: Path, values: np.ndarray, message: str
) -> None:
    Image.fromarray(values).save(tmp_path / "bad.tif")
    with pytest.raises(ValueError, match=message):
        colorize(tmp_path / "bad.tif", model)


@pytest.mark.parametrize(("orientation", "quarter_turns"), [(3, 2), (6, -1), (8, 1)])
def test_colorize_applies_exif_orientation(
    model: keras.Model, tmp_path: Path, orientation: int, quarter_turns: int
) -> None:
    stored = np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)  # as the sensor saved it
    exif = Image.Exif()
    exif[0x0112] = orientation  # the EXIF Orientation tag: how to turn the stored pixels to show them upright
    Image.fromarray(stored).save(tmp_path / "photo.png", exif=exif)
    upright = np.rot90(stored, quarter_turns)
    np.testing.assert_array_equal(colorize(tmp_path / "photo.png", model), colorize(upright, model))


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_colorize_composites_transparency_over_white(model: keras.Model, tmp_path: Path, mode: str) -> None:
    rgba = np.zeros((16, 16, 4), np.uint8)  # black where transparent, as many editors store it
    rgba[:8, :, :3] = 60
    rgba[:8, :, 3] = 255  # top half: opaque dark gray; bottom half: fully transparent
    image = Image.fromarray(rgba, "RGBA")
    if mode == "P":
        image = image.convert("P")
        image.info["transparency"] = image.getpixel((0, 15))
    else:
        image = image.convert(mode)
    image.save(tmp_path / "transparent.png")
    expected = np.full((16, 16), 255, np.uint8)
    expected[:8] = 60
    np.testing.assert_array_equal(colorize(tmp_path / "transparent.png", model), colorize(expected, model))


def test_colorize_reads_palette_and_cmyk_files(model: keras.Model, tmp_path: Path) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    palette = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.save(tmp_path / "palette.png")
    np.testing.assert_array_equal(
        colorize(tmp_path / "palette.png", model), colorize(np.asarray(palette.convert("RGB")), model)
    )
    cmyk = Image.new("CMYK", (24, 16), (0, 200, 255, 40))  # an orange
    cmyk.save(tmp_path / "cmyk.tif")
    np.testing.assert_array_equal(
        colorize(tmp_path / "cmyk.tif", model), colorize(np.asarray(cmyk.convert("RGB")), model)
    )


def test_colorize_refuses_decompression_bombs_naming_the_limit(
    model: keras.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(tmp_path / "large.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValueError, match="MAX_IMAGE_PIXELS"):
        colorize(tmp_path / "large.png", model)


# --- colorize(): models and memory ---------------------------------------------------------------------------------


def test_colorize_accepts_the_name_of_a_committed_colorizer() -> None:
    from coursework.colorization import load_colorizer

    gray = np.linspace(0, 255, 16 * 24).reshape(16, 24).astype(np.uint8)
    expected = colorize(gray, load_colorizer("colorizer_mild_rebalance"))
    np.testing.assert_array_equal(colorize(gray, "colorizer_mild_rebalance"), expected)
    with pytest.raises(FileNotFoundError, match="no_such_colorizer.keras not found"):
        colorize(gray, "no_such_colorizer")


@pytest.mark.parametrize("bad_model", [3, Path("models/colorizer.keras"), lambda luma: luma])
def test_colorize_rejects_a_model_of_another_type(bad_model: object) -> None:
    with pytest.raises(TypeError, match="keras.Model, the name of a committed colorizer"):
        colorize(np.zeros((8, 8), np.uint8), bad_model)


def test_truncated_colorizer_file_is_reported_as_corrupt(model: keras.Model, tmp_path: Path) -> None:
    from coursework.colorization import load_colorizer

    model.save(tmp_path / "broken.keras")
    data = (tmp_path / "broken.keras").read_bytes()
    (tmp_path / "broken.keras").write_bytes(data[: len(data) // 2])  # an interrupted copy
    with pytest.raises(ValueError, match="truncated or corrupt.*broken --retrain"):
        load_colorizer("broken", directory=tmp_path)


def test_tiling_geometry_covers_the_receptive_field(model: keras.Model) -> None:
    from coursework.colorization import tiling_geometry

    # Tiny U-Net, 3 levels: 3x3 convolutions at strides 1, 2, 4 and 2 reach 1 + 2 + 4 + 2 pixels each way, the
    # poolings 1 + 2 more on one side, nearest upsampling 2 on the other, the bilinear one 2.5 and 1.5: 13.5 pixels
    # either way, rounded up to a multiple of the largest stride, 4.
    assert tiling_geometry(model) == (4, 16)
    assert tiling_geometry(build_colorizer(CONFIGS["unet_chroma"])) == (8, 32)

    class Subclassed(keras.Model):
        def call(self, luma):
            return keras.ops.concatenate([luma, luma], axis=-1) * 0 + 0.5

    assert tiling_geometry(Subclassed()) is None  # no graph to follow: colorize runs it on whole images
    assert colorize(np.zeros((40, 40), np.uint8), Subclassed(), tile_size=16).shape == (40, 40, 3)


@pytest.mark.parametrize("shape", [(150, 130), (2, 97, 161, 3)])
def test_tiled_colorize_equals_the_whole_image(model: keras.Model, shape: tuple) -> None:
    images = np.random.default_rng(0).random(shape).astype(np.float32)
    whole, tiled = colorize(images, model, tile_size=10_000), colorize(images, model, tile_size=32)
    np.testing.assert_allclose(tiled, whole, atol=1e-6)  # no seams: each tile sees its whole receptive field


def tiny_global_colorizer(target: str) -> keras.Model:
    """An untrained colorizer with a global branch, in its saved form."""
    keras.utils.set_random_seed(1)
    config = ColorizerConfig(filters=(4, 4, 4), target=target, global_features=4)
    if target != "bins":
        return build_colorizer(config)
    bins = fit_bins(ruled_images(8), bin_size=0.1, rebalance=0.5)
    return colorizer_from_logits(build_colorizer(config, len(bins.centres)), bins.centres, temperature=0.38)


@pytest.mark.parametrize("target", ["chroma", "bins"])
@pytest.mark.parametrize("shape", [(150, 130), (2, 97, 161, 3)])
def test_tiled_colorize_of_a_global_model_equals_the_whole_image(target: str, shape: tuple) -> None:
    from coursework.colorization import scene_split

    model = tiny_global_colorizer(target)
    assert tiling_geometry(model) is None  # the global branch sees the whole image ...
    features, given = scene_split(model)
    assert tiling_geometry(given) == (4, 16)  # the same reach as the tiny U-Net without the branch
    images = np.random.default_rng(0).random(shape).astype(np.float32)
    whole, tiled = colorize(images, model, tile_size=10_000), colorize(images, model, tile_size=32)
    np.testing.assert_allclose(tiled, whole, atol=2e-6)  # ... so tiles get the whole image's average first
    assert scene_split(build_unet((4, 4, 4))) is None
    assert all(len(layer._inbound_nodes) == 1 for layer in model.layers)  # colorize leaves the model's graph alone


def test_a_global_model_is_fed_bounded_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    import coursework.colorization.prediction as prediction

    model, shapes = tiny_global_colorizer("chroma"), []
    _, given = scene_split(model)
    original = prediction._predict_padded

    def recording(model, luma, multiple, scene=None):
        shapes.append(luma.shape)
        return original(model, luma, multiple, scene)

    monkeypatch.setattr(prediction, "_predict_padded", recording)
    colorize(np.zeros((300, 300), np.float32), model, tile_size=64)
    assert len(shapes) == 25 and max(h * w for _, h, w, _ in shapes) <= (64 + 2 * 16) ** 2


def test_colorize_feeds_the_model_bounded_tiles_at_a_few_megapixels(
    model: keras.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    import coursework.colorization.prediction as prediction

    calls = []

    def recording_predict_chroma(model: keras.Model, luma: np.ndarray, batch_size: int = 500) -> np.ndarray:
        calls.append(luma.shape)
        return predict_chroma(model, luma, batch_size)

    monkeypatch.setattr(prediction, "predict_chroma", recording_predict_chroma)
    gray = np.random.default_rng(0).integers(0, 256, (1500, 2000), dtype=np.uint8)  # 3 megapixels
    out = colorize(gray, model, tile_size=512)
    assert out.shape == (1500, 2000, 3)
    margin = tiling_geometry(model)[1]
    assert len(calls) == 12 and max(n * h * w for n, h, w, _ in calls) <= (512 + 2 * margin) ** 2


def test_colorize_peak_memory_stays_bounded_at_a_few_megapixels() -> None:
    """A 3-megapixel image through a small U-Net with 16 colour classes: the whole image at once needs about 450 MB
    beyond the arrays in and out; tiles of 512 pixels about 75 MB (TensorFlow's memory is outside tracemalloc's
    view, so this measures the process's peak resident size)."""
    import subprocess
    import sys

    script = """
import resource
import keras
import numpy as np
from coursework.colorization import build_unet, colorize, colorizer_from_logits
keras.utils.set_random_seed(0)
centres = np.random.default_rng(0).random((16, 2)).astype(np.float32)
model = colorizer_from_logits(build_unet((4, 4, 4), head_channels=16), centres, 0.38)
colorize(np.zeros((64, 64), np.uint8), model)
gray = np.random.default_rng(0).integers(0, 256, (1536, 2048), dtype=np.uint8)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
colorize(gray, model)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    growth_mb = float(result.stdout.split()[-1])
    assert growth_mb < 200, f"colorize grew the process by {growth_mb:.0f} MB on 3 megapixels"


# --- tables and analysis for the notebook --------------------------------------------------------------------------


def test_each_target_names_its_loss() -> None:
    assert [config.loss_name for config in CONFIGS.values()] == [
        "chroma MSE",
        "RGB MSE",
        "chroma MSE",
        "rebalanced cross-entropy",
        "chroma MSE",
        "rebalanced cross-entropy",
    ]
    assert ColorizerConfig(target="bins", rebalance=1.0).loss_name == "cross-entropy"  # no class weights


def test_average_colour_oracle_is_the_spread_of_each_image_around_its_own_average() -> None:
    flat = np.full((3, 4, 4, 2), 0.3, np.float32)
    assert average_colour_oracle(flat) == 0.0  # one colour per image: the average is exact
    halves = np.zeros((1, 2, 2, 2), np.float32)
    halves[:, 0] = 0.6  # half the pixels 0.6, half 0: each 0.3 away from the average
    assert average_colour_oracle(halves) == pytest.approx(0.09)


def ruled_luma(images: np.ndarray) -> np.ndarray:
    """The luminance (N, H, W, 1) of uint8 RGB images."""
    return rgb_to_ycrcb(images.astype(np.float32) / 255)[..., :1]


def test_tradeoff_table_measures_colour_class_models_at_each_temperature_and_the_others_once(
    model: keras.Model,
) -> None:
    images, training = ruled_images(6), ruled_images(12, seed=3)
    mse_model = build_colorizer(CONFIGS["cae_chroma"])
    table = tradeoff_table({"classes": model, "mse": mse_model}, [1.0, 0.1], training, images)
    assert table.model.tolist() == ["classes", "classes", "mse"]
    assert table.temperature.tolist()[:2] == [1.0, 0.1] and np.isnan(table.temperature[2])
    expected = colour_metrics(predict_chroma(with_temperature(model, 0.1), ruled_luma(images)), images)
    assert table.chroma_mse[1] == pytest.approx(expected["chroma_mse"].mean())
    assert table.vs_truth[1] == pytest.approx(expected["colourfulness"].mean() / expected["true_colourfulness"].mean())
    _, true_chroma = split_luma_chroma(images)
    baseline = np.mean((true_chroma - mean_chroma(training)) ** 2)
    assert table.vs_mean_chroma[1] == pytest.approx(table.chroma_mse[1] / baseline, rel=1e-4)


def test_the_default_is_the_closest_setting_that_keeps_enough_colour() -> None:
    table = pd.DataFrame(
        {
            "model": ["a", "a", "b", "c"],
            "temperature": [1.0, 0.5, np.nan, np.nan],
            "vs_mean_chroma": [0.80, 0.85, 0.75, 0.90],
            "vs_truth": [0.55, 0.65, 0.45, 0.70],
        }
    )
    chosen = choose_colorizer(table)
    assert (chosen.model, chosen.temperature) == ("a", 0.5)  # b is closer, a at T = 1 too, but too colourless
    with pytest.raises(ValueError, match="no setting keeps 0.6x"):
        choose_colorizer(table.assign(vs_truth=0.5))


def test_colorize_defaults_to_the_declared_colorizer_and_temperature() -> None:
    from coursework.colorization import DEFAULT_COLORIZER, decoding_temperature, default_colorizer, load_colorizer

    name, temperature = DEFAULT_COLORIZER
    model = default_colorizer()
    if temperature is not None:
        assert decoding_temperature(model) == temperature
    gray = np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(32, 32)
    expected = colorize(gray, with_temperature(load_colorizer(name), temperature) if temperature else name)
    np.testing.assert_array_equal(colorize(gray), expected)


def test_gray_image_is_the_rounded_luminance() -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    gray = gray_image(rgb)
    assert gray.shape == (5, 7) and gray.dtype == np.uint8
    np.testing.assert_array_equal(gray, np.round(ruled_luma(rgb[None])[0, ..., 0] * 255).astype(np.uint8))
    np.testing.assert_array_equal(gray_image(np.stack([gray] * 3, axis=-1)), gray)  # a gray image stays itself


def test_half_resolution_error_is_zero_for_blockwise_constant_chroma() -> None:
    from coursework.colorization import half_resolution_error

    flat = np.repeat(np.repeat(np.random.default_rng(0).random((2, 3, 3, 2)), 2, axis=1), 2, axis=2)
    assert half_resolution_error(flat) == pytest.approx(0.0)
    checker = np.zeros((1, 2, 2, 2))
    checker[0, 0, 0] = checker[0, 1, 1] = 1.0
    assert half_resolution_error(checker) == pytest.approx(0.25)


def test_temperature_functions_refuse_regression_colorizers() -> None:
    regression = build_colorizer(CONFIGS["unet_chroma"])
    for function in (decoding_temperature, lambda model: with_temperature(model, 1.0)):
        with pytest.raises(ValueError, match="needs a colour-class colorizer"):
            function(regression)
    assert decoding_temperature(with_temperature(tiny_bins_colorizer(), 1e-8)) == 1e-8  # never rounded to 0


@pytest.mark.parametrize("augment", ["no", 1, None])
def test_augment_must_be_a_bool(augment: object) -> None:
    with pytest.raises(ValueError, match="augment must be True or False"):
        ColorizerConfig(augment=augment)
    assert type(ColorizerConfig(global_features=np.int64(8)).global_features) is int  # JSON-safe when saved


def test_a_file_with_a_layer_class_this_code_lacks_is_reported_with_the_fix(tmp_path: Path) -> None:
    from coursework.store import load_model_file

    @keras.saving.register_keras_serializable(package="coursework_test")
    class Vanishing(keras.layers.Layer):
        def call(self, x):
            return x

    inputs = keras.Input((4,))
    path = tmp_path / "old_colorizer.keras"
    keras.Model(inputs, Vanishing()(inputs)).save(path)
    del keras.saving.get_custom_objects()["coursework_test>Vanishing"]
    with pytest.raises(ValueError, match="uses a layer class this version of the code does not have"):
        load_model_file(path)


def test_choose_colorizer_ignores_unmeasured_rows_and_refuses_tables_it_cannot_read() -> None:
    rows = {
        "model": ["a", "b"],
        "temperature": [np.nan, np.nan],
        "vs_mean_chroma": [np.nan, 0.9],
        "vs_truth": [0.8, 0.7],
    }
    table = pd.concat([pd.DataFrame(rows)] * 2)  # a repeated index, as pd.concat leaves it
    assert choose_colorizer(table).model == "b"
    with pytest.raises(ValueError, match="no measured setting"):
        choose_colorizer(table.iloc[:0])
    with pytest.raises(ValueError, match="columns \\['vs_truth'\\] are missing"):
        choose_colorizer(table.drop(columns="vs_truth"))


def test_class_colour_oracle_is_zero_when_each_class_has_one_colour_map() -> None:
    from coursework.evaluation.colour import class_colour_oracle

    images = flat_colour_images([(0.3, 0.7), (0.6, 0.4), (0.3, 0.7), (0.6, 0.4)])
    labels = np.array([0, 1, 0, 1])
    assert class_colour_oracle(images, labels, images, labels, batch_size=3) == pytest.approx(0.0, abs=1e-10)
    swapped = class_colour_oracle(images, labels, images, 1 - labels)  # the wrong class: the other colour
    _, chroma = split_luma_chroma(images)
    assert swapped == pytest.approx(np.mean((chroma[0] - chroma[1]) ** 2), rel=1e-5)


def test_meets_targets_needs_both_closeness_and_colour() -> None:
    from coursework.evaluation.colour import meets_targets

    table = pd.DataFrame({"vs_mean_chroma": [0.65, 0.65, 0.8, 0.70], "vs_truth": [0.7, 0.5, 0.9, 0.6]})
    assert meets_targets(table).tolist() == [True, False, False, True]  # the limits themselves count as met
