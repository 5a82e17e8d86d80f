"""Interactive exploration, the last section of each notebook: widgets that call plain, tested functions.

The functions here do the work and return figures; the ``*_explorer`` functions only wire them to ipywidgets
(imported when called: the ``notebooks`` extra). Executed notebooks save the widgets' state, so the static HTML
report shows each widget with the figure of its initial setting; moving a slider needs a running kernel. The
notebook 02 functions import TensorFlow when called, so that notebook 01 never waits for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from coursework.backprop import INITIALISERS, Network, encoder_dataset
from coursework.images import check_images
from coursework.plotting import hidden_layer_heatmaps, image_rows, training_curves

LEARNING_RATES = (0.1, 1000.0)  # the slider's range: notebook 01's grid, from too slow to diverging
EXPLORER_EPOCHS = 2_000  # about half a second of training: quick enough to retrain on every slider move
TEMPERATURES = (0.05, 2.0)  # the colour classes' annealed-mean temperature: near the mode ... the plain mean and beyond
IMAGE_SIZE = 32  # the autoencoders' input side: an uploaded photo is centre-cropped and shrunk to it


def backprop_figures(
    learning_rate: float, init: str, bias_init: str, seed: int, epochs: int = EXPLORER_EPOCHS
) -> tuple[plt.Figure, plt.Figure]:
    """Train one 8-3-8 encoder with these settings; its training curves and its hidden layer's heatmaps."""
    X, Y = encoder_dataset()
    network = Network(init=init, bias_init=bias_init, seed=seed)
    history = network.train(X, Y, epochs, learning_rate)
    solved = history.epochs_to_accuracy(stable=True)
    verdict = "never reaches 100 % for good" if math.isnan(solved) else f"100 % accuracy from epoch {int(solved):,} on"
    curves = training_curves(
        {"loss": history.loss, "accuracy": history.accuracy},
        ylabel=["mean squared error", "accuracy"],
        xscale="log",
        yscale=["log", "linear"],
        title=f"η = {learning_rate:g}, weights {init}, biases {bias_init}, seed {seed}: {verdict}",
    )
    return curves, hidden_layer_heatmaps(network, X)


def backprop_explorer(epochs: int = EXPLORER_EPOCHS):
    """Sliders for learning rate, initialisation and seed that retrain the network and redraw its figures."""
    import ipywidgets as widgets

    def show(learning_rate: float, init: str, bias_init: str, seed: int) -> None:
        backprop_figures(learning_rate, init, bias_init, seed, epochs)
        plt.show()

    low, high = LEARNING_RATES
    return widgets.interactive(
        show,
        learning_rate=widgets.FloatLogSlider(value=10.0, base=10, min=math.log10(low), max=math.log10(high), step=0.25),
        init=widgets.Dropdown(options=list(INITIALISERS), value="uniform", description="weights"),
        bias_init=widgets.Dropdown(options=list(INITIALISERS), value="zeros", description="biases"),
        seed=widgets.IntSlider(value=0, min=0, max=29),
    )


def image_from_upload(content: bytes) -> np.ndarray:
    """An uploaded image file as one uint8 (32, 32, 3) RGB image: centre-cropped to a square, then shrunk.

    Read as ``colorize`` reads files (:func:`coursework.colorization.read_image`: upright, transparency over white,
    16-bit and float files scaled to their white level); unreadable files raise a ValueError.
    """
    from PIL import Image, ImageOps

    from coursework.colorization import read_image

    pixels = read_image(io.BytesIO(content))
    if pixels.dtype != np.uint8:  # high bit depth: to 8 bits, the autoencoders' input
        pixels = np.round(pixels * 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=-1)
    square = ImageOps.fit(Image.fromarray(pixels), (IMAGE_SIZE, IMAGE_SIZE))
    return np.asarray(square, dtype=np.uint8)


def autoencoder_figure(image: np.ndarray, autoencoders: Mapping, colorizer, temperature: float) -> plt.Figure:
    """One uint8 (32, 32, 3) image, its reconstruction by each autoencoder (name -> model), its gray version and
    its colorization by a colour-class colorizer decoding at ``temperature``."""
    from coursework.autoencoders import reconstruct
    from coursework.color import split_luma_chroma
    from coursework.colorization import check_temperature, colorize, with_temperature

    image = np.asarray(image)
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE, 3):
        raise ValueError(
            f"one {IMAGE_SIZE}x{IMAGE_SIZE} RGB image, shape ({IMAGE_SIZE}, {IMAGE_SIZE}, 3), is needed; "
            f"got shape {image.shape}"
        )
    image = check_images(image[None])[0]  # uint8
    reconstructions = [reconstruct(model, image[None])[0] for model in autoencoders.values()]
    gray = np.repeat(split_luma_chroma(image[None])[0][0], 3, axis=-1)  # what the colorizer sees
    coloured = colorize(image, with_temperature(colorizer, check_temperature(temperature)))
    columns = [image / 255, *reconstructions, gray, coloured / 255]
    titles = ["original", *autoencoders, "gray input", f"colorized, T = {temperature:.2g}"]
    return image_rows({"": np.stack(columns)}, titles, size=1.6)


def autoencoder_explorer(images: np.ndarray, autoencoders: Mapping, colorizer, temperature: float):
    """Pick a test image (slider) or upload a photo, and a temperature: redraws :func:`autoencoder_figure`."""
    import ipywidgets as widgets

    low, high = TEMPERATURES
    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="test image")
    temperature_slider = widgets.FloatLogSlider(
        value=temperature, base=10, min=math.log10(low), max=math.log10(high), step=0.05, description="temperature"
    )
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="or upload")

    def show(index: int, temperature: float, upload: tuple) -> None:
        image = image_from_upload(bytes(upload[-1]["content"])) if upload else images[index]
        autoencoder_figure(image, autoencoders, colorizer, temperature)
        plt.show()

    controls = {"index": index, "temperature": temperature_slider, "upload": upload}
    return widgets.VBox([widgets.HBox([index, temperature_slider, upload]), widgets.interactive_output(show, controls)])
