"""Tests of the colorizers: config, builders, training on a learnable colour rule, the ensemble and colorize()."""

import os
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

import coursework.colorization.prediction as prediction
from coursework import configs
from coursework.color import colorfulness, merge_luma_chroma, rgb_to_ycrcb, split_luma_chroma, ycrcb_to_rgb
from coursework.colorization import (
    DEFAULT_COLORIZER,
    ColorizerConfig,
    Ensemble,
    build_colorizer,
    colorize,
    downsampling_factor,
    ensemble_chroma,
    load_colorizer,
    predict_chroma,
    tiling_geometry,
    train_colorizer,
)

CONFIGS = {
    "cae_chroma": ColorizerConfig(architecture="cae", filters=(8, 12, 16), target="chroma"),
    "cae_rgb": ColorizerConfig(architecture="cae", filters=(32, 8), target="rgb"),
    "unet_chroma": ColorizerConfig(target="chroma"),
}


def ruled_images(count: int, size: int = 16, seed: int = 0) -> np.ndarray:
    """uint8 RGB images whose colour follows their luminance: dark parts red, bright parts blue."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((count, size // 4, size // 4, 1))
    luma = 0.2 + 0.6 * np.kron(coarse, np.ones((1, 4, 4, 1)))
    chroma = np.concatenate([0.5 - 0.25 * (luma - 0.5), 0.5 + 0.25 * (luma - 0.5)], axis=-1)
    rgb = ycrcb_to_rgb(np.concatenate([luma, chroma], axis=-1))
    return np.round(rgb * 255).astype(np.uint8)


def ruled_luma(images: np.ndarray) -> np.ndarray:
    """The luminance (N, H, W, 1) of uint8 RGB images."""
    return rgb_to_ycrcb(images.astype(np.float32) / 255)[..., :1]


def tiny_colorizer(seed: int = 0) -> keras.Model:
    """An untrained three-level U-Net colorizer with four channels a level."""
    keras.utils.set_random_seed(seed)
    return build_colorizer(ColorizerConfig(filters=(4, 4, 4)))


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return tiny_colorizer()


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_ycrcb(rgb.astype(np.float32) / (255 if rgb.dtype == np.uint8 else 1))[..., 0]


# --- config, builders, training ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("size", [(32, 32), (64, 48)])
def test_colorizers_are_fully_convolutional(name: str, size: tuple) -> None:
    config = CONFIGS[name]
    output = np.asarray(build_colorizer(config)(np.zeros((2, *size, 1), np.float32)))
    assert output.shape == (2, *size, 3 if config.target == "rgb" else 2)
    assert predict_chroma(build_colorizer(config), np.zeros((2, *size, 1), np.float32)).shape == (2, *size, 2)


def test_downsampling_factor_counts_the_poolings() -> None:
    assert downsampling_factor(build_colorizer(CONFIGS["cae_chroma"])) == 4
    assert downsampling_factor(build_colorizer(CONFIGS["cae_rgb"])) == 2
    assert downsampling_factor(build_colorizer(CONFIGS["unet_chroma"])) == 8


def test_a_cae_colorizer_is_built_with_its_own_kernel_and_pooling() -> None:
    config = ColorizerConfig(architecture="cae", filters=(4, 4), kernel_size=5, pool_size=1)
    model = build_colorizer(config)
    assert model.get_layer("encoder_conv1").kernel_size == (5, 5)
    assert downsampling_factor(model) == 1  # no pooling layer at pool_size 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "bins"}, "target"),
        ({"architecture": "resnet"}, "architecture"),
        ({"loss": "no_such_loss"}, "'no_such_loss'"),
        ({"strides": 2}, "strides"),
        ({"filters": (4, 4)}, "three filters"),
        ({"architecture": "cae", "filters": (4, 4), "padding": "valid"}, "padding='same'"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"augment": "no"}, "augment"),
    ],
)
def test_bad_configs_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ColorizerConfig(**kwargs)


def test_a_new_loss_is_one_name_keras_knows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(configs, "LOSSES", (*configs.LOSSES, "mean_absolute_error"))
    config = replace(CONFIGS["cae_chroma"], filters=(4, 4), loss="mean_absolute_error", epochs=1, patience=None)
    validation = ruled_images(4)
    model, history = train_colorizer(config, ruled_images(8), validation, verbose=False)
    luma, truth = split_luma_chroma(validation)
    assert history["val_loss"] == [pytest.approx(np.mean(np.abs(predict_chroma(model, luma) - truth)), rel=1e-4)]


def test_every_allowed_name_is_one_keras_knows() -> None:
    for name in configs.OPTIMIZERS:
        assert isinstance(keras.optimizers.get(name), keras.optimizers.Optimizer)
    for name in configs.LOSSES:
        assert callable(keras.losses.get(name))
    for name in configs.OUTPUT_ACTIVATIONS:
        assert keras.activations.get(name).__name__ == name


@pytest.mark.parametrize("name", ["cae_chroma", "unet_chroma"])
def test_training_learns_a_color_rule_beyond_the_mean_chroma(name: str) -> None:
    images, validation = ruled_images(256, seed=1), ruled_images(64, seed=2)
    config = replace(CONFIGS[name], filters=(8, 8, 8), epochs=15, batch_size=16, learning_rate=3e-3, patience=None)
    model, history = train_colorizer(config, images, validation, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    luma, truth = split_luma_chroma(validation)
    predicted = predict_chroma(model, luma)
    assert np.mean((predicted - truth) ** 2) < 0.5 * np.mean((truth - truth.mean(axis=(0, 1, 2))) ** 2)
    colored, true_rgb = merge_luma_chroma(luma, predicted), validation / np.float32(255)
    assert colorfulness(colored).mean() > 0.5 * colorfulness(true_rgb).mean()


def test_training_rejects_float_images() -> None:
    with pytest.raises(ValueError, match="uint8"):
        train_colorizer(CONFIGS["cae_chroma"], ruled_images(4).astype(np.float32), ruled_images(4), verbose=False)


def test_committed_colorizers_load_with_plain_keras() -> None:
    """Every committed colorizer is made of Keras's own layers: a fresh Python loads it without this package."""
    import subprocess
    import sys

    from coursework.store import MODELS_DIR

    files = sorted(str(path) for path in MODELS_DIR.glob("colorizer*.keras"))
    script = "import sys, keras\nfor path in sys.argv[1:]: keras.models.load_model(path)\nprint(len(sys.argv) - 1)"
    result = subprocess.run([sys.executable, "-c", script, *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(len(files)) and len(files) >= 3


def test_committed_colorizers_load_and_color_any_size() -> None:
    from coursework.experiments import REGISTRY, names
    from coursework.store import model_paths

    gray = np.linspace(0, 255, 40 * 50).reshape(40, 50).astype(np.uint8)
    assert colorize(gray).shape == (40, 50, 3)  # the default ensemble
    trained = [name for name in names("colorization") if model_paths(name)["model"].exists()]
    for name in trained:
        model = load_colorizer(name)
        assert model.output.shape[-1] == (3 if REGISTRY[name].config.target == "rgb" else 2)
        assert colorize(gray, model).shape == (40, 50, 3)
    assert set(DEFAULT_COLORIZER.members) <= set(trained)


# --- the ensemble ---------------------------------------------------------------------------------------------------


def test_the_default_colorizer_is_every_seed_of_the_augmented_u_net() -> None:
    from coursework.experiments import seeds_of

    assert list(DEFAULT_COLORIZER.members) == seeds_of("colorizer_unet_augment")


def test_ensemble_chroma_averages_models_and_mirrors_then_applies_the_gain() -> None:
    models = [tiny_colorizer(0), tiny_colorizer(1)]
    luma = np.random.default_rng(0).random((2, 16, 24, 1)).astype(np.float32)
    mirrored = luma[:, :, ::-1]
    views = [predict_chroma(m, luma) for m in models] + [predict_chroma(m, mirrored)[:, :, ::-1] for m in models]
    average = np.mean(views, axis=0)
    np.testing.assert_allclose(ensemble_chroma(models, luma, flips=True), average, atol=1e-6)
    amplified = ensemble_chroma(models, luma, flips=True, gain=1000.0)
    np.testing.assert_allclose(amplified, np.clip(0.5 + 1000 * (average - 0.5), 0, 1), atol=1e-3)
    assert amplified.min() == 0.0 and amplified.max() == 1.0  # clipped to the chroma range
    # With flips the ensemble is mirror-symmetric: a mirrored image gets the mirrored colours.
    np.testing.assert_allclose(ensemble_chroma(models, mirrored, flips=True)[:, :, ::-1], average, atol=1e-6)
    assert not np.allclose(ensemble_chroma(models, mirrored)[:, :, ::-1], ensemble_chroma(models, luma))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": "colorizer_unet"}, "members"),
        ({"members": ()}, "members"),
        ({"gain": 0}, "gain"),
    ],
)
def test_bad_ensembles_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Ensemble(**{"members": ("a",), **kwargs})


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty models folder in place of the repository's, holding two tiny colorizers, ``a`` and ``b``."""
    import coursework.store

    monkeypatch.setattr(coursework.store, "MODELS_DIR", tmp_path)
    for seed, name in enumerate("ab"):
        tiny_colorizer(seed).save(tmp_path / f"{name}.keras")
    return tmp_path


def test_colorize_with_an_ensemble_loads_its_members_and_tiles_exactly(models_dir: Path) -> None:
    ensemble = Ensemble(("a", "b"), flips=True, gain=1.4)
    gray = np.random.default_rng(0).random((97, 161)).astype(np.float32)
    whole = colorize(gray, ensemble, tile_size=10_000)
    luma = np.pad(gray, ((0, 3), (0, 3)), mode="edge")[None, ..., None]  # padded to the pooling grid, 4
    chroma = ensemble_chroma([load_colorizer("a"), load_colorizer("b")], luma, True, 1.4)[:, :97, :161]
    np.testing.assert_allclose(whole, merge_luma_chroma(gray[None, ..., None], chroma)[0], atol=1e-6)
    np.testing.assert_allclose(colorize(gray, ensemble, tile_size=32), whole, atol=1e-6)  # no seams
    one = colorize(gray, Ensemble(("a",)))
    np.testing.assert_array_equal(one, colorize(gray, load_colorizer("a")))  # one member, as it is
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        colorize(gray, Ensemble(("missing",)))


def test_a_retrained_colorizer_is_loaded_afresh(models_dir: Path) -> None:
    first = load_colorizer("a")
    assert load_colorizer("a") is first  # unchanged file: loaded once
    tiny_colorizer(5).save(models_dir / "a.keras")
    stat = (models_dir / "a.keras").stat()
    os.utime(models_dir / "a.keras", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later save
    luma = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(predict_chroma(load_colorizer("a"), luma), predict_chroma(tiny_colorizer(5), luma))


# --- colorize() -----------------------------------------------------------------------------------------------------


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


# --- colorize(): files as real photos come -------------------------------------------------------------------------


def gradient(height: int = 24, width: int = 32) -> np.ndarray:
    """A smooth float gray image in [0, 1]."""
    return np.linspace(0, 1, height * width, dtype=np.float32).reshape(height, width)


def test_colorize_reads_16_bit_png_by_its_bit_depth(model: keras.Model, tmp_path: Path) -> None:
    gray16 = np.round(gradient() * 65535).astype(np.uint16)
    Image.fromarray(gray16).save(tmp_path / "gray16.png")
    expected = np.round(colorize(gray16.astype(np.float32) / 65535, model) * 255).astype(np.uint8)
    np.testing.assert_array_equal(colorize(tmp_path / "gray16.png", model), expected)


@pytest.mark.parametrize("values", [np.round(gradient() * 65535).astype(np.int32), gradient()])
def test_colorize_refuses_32_bit_files_rather_than_clip_them(
    model: keras.Model, tmp_path: Path, values: np.ndarray
) -> None:
    Image.fromarray(values).save(tmp_path / "gray.tif")
    with pytest.raises(ValueError, match="gray.tif.*32-bit"):
        colorize(tmp_path / "gray.tif", model)


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


@pytest.mark.parametrize("bad_model", [3, "colorizer_unet", lambda luma: luma])
def test_colorize_rejects_a_colorizer_of_another_type(bad_model: object) -> None:
    with pytest.raises(TypeError, match="colorizer"):
        colorize(np.zeros((8, 8), np.uint8), bad_model)


def test_tiling_geometry_covers_the_receptive_field(model: keras.Model) -> None:
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


def test_colorize_feeds_the_model_bounded_tiles_at_a_few_megapixels(
    model: keras.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def recording(models, luma, *args, **kwargs) -> np.ndarray:
        calls.append(luma.shape)
        return ensemble_chroma(models, luma, *args, **kwargs)

    monkeypatch.setattr(prediction, "ensemble_chroma", recording)
    gray = np.random.default_rng(0).integers(0, 256, (1500, 2000), dtype=np.uint8)  # 3 megapixels
    out = colorize(gray, model, tile_size=512)
    assert out.shape == (1500, 2000, 3)
    margin = tiling_geometry(model)[1]
    assert len(calls) == 12 and max(n * h * w for n, h, w, _ in calls) <= (512 + 2 * margin) ** 2


def test_colorize_peak_memory_stays_bounded_at_a_few_megapixels() -> None:
    """A 3-megapixel image through a small U-Net: tiles of 512 pixels keep the growth of the process well below
    what the whole image at once needs (TensorFlow's memory is outside tracemalloc's view, so this measures the
    process's peak resident size)."""
    import subprocess
    import sys

    script = """
import resource
import keras
import numpy as np
from coursework.colorization import ColorizerConfig, build_colorizer, colorize
keras.utils.set_random_seed(0)
model = build_colorizer(ColorizerConfig(filters=(16, 16, 16)))
colorize(np.zeros((64, 64), np.uint8), model)
gray = np.random.default_rng(0).integers(0, 256, (1536, 2048), dtype=np.uint8)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
colorize(gray, model)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    growth_mb = float(result.stdout.split()[-1])
    assert growth_mb < 200, f"colorize grew the process by {growth_mb:.0f} MB on 3 megapixels"


def test_truncated_colorizer_file_is_reported_as_corrupt(model: keras.Model, tmp_path: Path) -> None:
    from coursework.colorization import load_colorizer

    model.save(tmp_path / "broken.keras")
    data = (tmp_path / "broken.keras").read_bytes()
    (tmp_path / "broken.keras").write_bytes(data[: len(data) // 2])  # an interrupted copy
    with pytest.raises(ValueError, match="broken --retrain"):
        load_colorizer("broken", directory=tmp_path)


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
    with pytest.raises(
        ValueError, match=r"old_colorizer.keras is not a model this code can load.*old_colorizer --retrain"
    ):
        load_model_file(path)
