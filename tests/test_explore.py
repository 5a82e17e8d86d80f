"""The notebooks' interactive sections: the functions behind the widgets, called as plain functions."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from coursework.explore import (  # noqa: E402
    autoencoder_explorer,
    autoencoder_figure,
    backprop_explorer,
    backprop_figures,
    image_from_upload,
)


def test_backprop_figures_show_the_run_and_its_verdict() -> None:
    curves, heatmaps = backprop_figures(learning_rate=50.0, init="uniform", bias_init="zeros", seed=0, epochs=3000)
    assert [ax.get_title() for ax in curves.axes] == ["loss", "accuracy"]
    assert curves.get_suptitle().startswith("η = 50, weights uniform, biases zeros, seed 0: 100 % accuracy from epoch")
    assert heatmaps.axes[0].get_title() == "hidden activations $a_1$"
    plt.close("all")


def test_zero_initialisation_is_reported_as_not_learning() -> None:
    curves, _ = backprop_figures(learning_rate=10.0, init="zeros", bias_init="zeros", seed=0, epochs=200)
    assert curves.get_suptitle().endswith("never reaches 100 % for good")
    plt.close("all")


def test_the_explorer_wires_every_setting_to_a_control() -> None:
    explorer = backprop_explorer(epochs=50)
    controls = {child.description: child.value for child in explorer.children[:-1]}
    assert controls == {"learning_rate": 10.0, "weights": "uniform", "biases": "zeros", "seed": 0}
    plt.close("all")


def tiny_models():
    """A small untrained autoencoder and colour-class colorizer: the figures' plumbing, not their quality."""
    from coursework.autoencoders import build_cae
    from coursework.colorization import build_unet, colorizer_from_logits

    autoencoder = build_cae(filters=(4, 4))
    centres = np.array([[0.4, 0.4], [0.5, 0.5], [0.6, 0.6]], dtype=np.float32)
    colorizer = colorizer_from_logits(build_unet((4, 4, 4), head_channels=len(centres), name="logits"), centres, 0.38)
    return {"tiny": autoencoder}, colorizer


def test_autoencoder_figure_shows_every_model_and_the_colorization() -> None:
    autoencoders, colorizer = tiny_models()
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    figure = autoencoder_figure(image, autoencoders, colorizer, temperature=0.5)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["original", "tiny", "gray input", "colorized, T = 0.5"]
    for wrong in (image[:16], image[..., 0], np.stack([image, image])):
        with pytest.raises(ValueError, match=r"one 32x32 RGB image, shape \(32, 32, 3\), is needed"):
            autoencoder_figure(wrong, autoencoders, colorizer, temperature=0.5)
    with pytest.raises(ValueError, match="temperature"):
        autoencoder_figure(image, autoencoders, colorizer, temperature=0.0)
    plt.close("all")


def test_uploaded_photos_are_cropped_and_shrunk_and_junk_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 10)).save(buffer, format="PNG")
    image = image_from_upload(buffer.getvalue())
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert tuple(image[16, 16]) == (200, 30, 10)
    buffer = io.BytesIO()
    Image.fromarray(np.full((8, 8), 40_000, dtype=np.uint16)).save(buffer, format="PNG")  # 16-bit gray
    assert np.all(image_from_upload(buffer.getvalue()) == round(40_000 / 65535 * 255))
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(buffer, format="PNG")  # transparent red shows as white
    assert np.all(image_from_upload(buffer.getvalue()) == 255)
    for junk in (b"not an image", b"", buffer.getvalue()[:-20]):  # text, nothing, a truncated PNG
        with pytest.raises(ValueError, match="cannot read an image from the uploaded file"):
            image_from_upload(junk)


def test_the_autoencoder_explorer_offers_an_image_a_temperature_and_an_upload() -> None:
    autoencoders, colorizer = tiny_models()
    images = np.zeros((5, 32, 32, 3), dtype=np.uint8)
    explorer = autoencoder_explorer(images, autoencoders, colorizer, temperature=0.38)
    index, temperature, upload = explorer.children[0].children
    assert (index.max, temperature.value, upload.accept) == (4, 0.38, "image/*")
    plt.close("all")
