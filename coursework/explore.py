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
from coursework.color import split_luma_chroma
from coursework.images import check_images, read_image
from coursework.plotting import hidden_layer_heatmaps, image_rows, training_curves

LEARNING_RATES = (0.1, 1000.0)  # the slider's range: notebook 01's grid, from too slow to diverging
EXPLORER_EPOCHS = 2_000  # enough for the good learning rates to reach 100 % accuracy, few enough to retrain per move
# The colour classes' annealed-mean temperature: near the mode ... the plain mean (1) ... flatter, with colorize()'s
# default (2, notebook 02's section 7.6) inside the range, so that the slider can move both ways from it.
TEMPERATURES = (0.05, 5.0)
IMAGE_SIZE = 32  # the autoencoders' input side: an uploaded photo is centre-cropped and shrunk to it
READOUT = ".3r"  # the sliders' readout (a d3-format): 3 significant figures in decimal notation, as `readout` prints
LABELS = {"description_width": "initial"}  # a control's label at its full width, not cut to a fixed one


def readout(value: float) -> str:
    """``value`` > 0 as the sliders read it out (:data:`READOUT`): 17.7828 -> "17.8", 0.1 -> "0.100", 1000 -> "1000"."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:.{max(0, 2 - math.floor(math.log10(rounded)))}f}"


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
        title=f"η = {readout(learning_rate)}, weights {init}, biases {bias_init}, seed {seed}: {verdict}",
    )
    return curves, hidden_layer_heatmaps(network, X)


def backprop_explorer(epochs: int = EXPLORER_EPOCHS):
    """Sliders for learning rate, initialisation and seed that retrain the network and redraw its figures."""
    import ipywidgets as widgets

    def show(learning_rate: float, init: str, bias_init: str, seed: int) -> None:
        backprop_figures(learning_rate, init, bias_init, seed, epochs)
        plt.show()

    low, high = LEARNING_RATES
    exponents = {"base": 10, "min": math.log10(low), "max": math.log10(high), "step": 0.25}
    return widgets.interactive(
        show,
        learning_rate=widgets.FloatLogSlider(
            value=10.0, **exponents, readout_format=READOUT, description="learning rate", style=LABELS
        ),
        init=widgets.Dropdown(options=list(INITIALISERS), value="uniform", description="weights", style=LABELS),
        bias_init=widgets.Dropdown(options=list(INITIALISERS), value="zeros", description="biases", style=LABELS),
        seed=widgets.IntSlider(value=0, min=0, max=29, description="seed", style=LABELS),
    )


def image_from_upload(content: bytes, name: str = "the uploaded file") -> np.ndarray:
    """An uploaded image file as one uint8 (32, 32, 3) RGB image: centre-cropped to a square, then shrunk.

    Read as ``colorize`` reads files (:func:`coursework.images.read_image`: upright, transparency over white,
    16-bit and float files scaled to their white level); unreadable files raise a ValueError that calls it ``name``.
    """
    from PIL import Image, ImageOps

    pixels = read_image(io.BytesIO(content), name)
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
    titles = ["original", *autoencoders, "gray input", f"colorized, T = {readout(temperature)}"]
    return image_rows({"": np.stack(columns)}, titles, size=1.6)


def autoencoder_explorer(images: np.ndarray, autoencoders: Mapping, colorizer, temperature: float):
    """Pick a test image (slider) or upload a photo, and a temperature: redraws :func:`autoencoder_figure`.

    The picture is the one chosen last: moving the image slider after an upload shows that test image again. An
    upload is read once and then cleared, so the same file can be uploaded again; a file that is not an image
    leaves a one-line message under the picture shown before, and the controls go on working.
    """
    import ipywidgets as widgets

    low, high = TEMPERATURES
    if not low < temperature < high:
        raise ValueError(f"temperature {temperature:g} is outside the slider's range ({low:g}, {high:g})")
    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="test image", style=LABELS)
    temperature_slider = widgets.FloatLogSlider(
        value=temperature,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=0.05,
        readout_format=READOUT,
        description="temperature",
        style=LABELS,
    )
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="or upload")
    output = widgets.Output()
    shown = {"image": images[index.value]}  # the picture chosen last: a test image or the last readable upload

    def redraw(_change: Mapping | None = None) -> None:
        with output:
            output.clear_output(wait=True)
            autoencoder_figure(shown["image"], autoencoders, colorizer, temperature_slider.value)
            plt.show()

    def pick(change: Mapping) -> None:
        shown["image"] = images[change["new"]]
        redraw()

    def read_upload(change: Mapping) -> None:
        if not change["new"]:  # cleared, below
            return
        file = change["new"][-1]
        upload.value = ()
        try:
            shown["image"] = image_from_upload(bytes(file["content"]), file["name"])
        except ValueError as error:
            with output:
                print(f"{error}; the picture above stays")
            return
        redraw()

    index.observe(pick, "value")
    temperature_slider.observe(redraw, "value")
    upload.observe(read_upload, "value")
    redraw()
    return widgets.VBox([widgets.HBox([index, temperature_slider, upload]), output])
