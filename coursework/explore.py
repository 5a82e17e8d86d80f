"""Interactive exploration, the last section of each notebook: widgets that call plain, tested functions.

The functions here do the work and return figures; the ``*_explorer`` functions only wire them to ipywidgets
(imported when called: the ``notebooks`` extra) and return an :class:`Explorer`: one output that carries both the
live widget and a PNG of its first view, so that JupyterLab shows the widget and static viewers (GitHub, nbviewer
without widget state, ``nbconvert --to markdown``, the PDF report) show the picture. Moving a control needs a running
kernel. The notebook 02 functions import TensorFlow when called, so that notebook 01 never waits for it.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from coursework.backprop import INITIALISERS, encoder_dataset, studies
from coursework.backprop.network import choose
from coursework.checks import check_real
from coursework.color import split_luma_chroma
from coursework.data import DATASETS
from coursework.images import check_images, read_image
from coursework.parameters import backprop_seeds
from coursework.plotting import hidden_layer_heatmaps, image_rows, training_curves

LEARNING_RATES = (0.1, 1000.0)  # the slider's range: notebook 01's grid, from too slow to diverging
EXPLORER_EPOCHS = 2_000  # enough for the good learning rates to reach 100 % accuracy, few enough to retrain per move
EXPLORER_IMAGES = 200  # the test images the image slider offers
IMAGE_SHAPE = DATASETS["cifar10"].image_shape  # of the explorer's test images and autoencoders (CIFAR-10's)
AUTOENCODERS = {  # what notebook 02's explorer compares: label -> committed experiment
    "prescribed\nnetwork": "cae_base",  # short lines: each title stays within its image's width
    "stride 2 in\nevery encoder\nconvolution": "study_stride2_all",
    "one pooling\nstage,\nchannels 32, 8": "study_one_pool_32_8",
}
READOUT = ".3r"  # the sliders' readout (a d3-format): 3 significant figures in decimal notation
LABELS = {"description_width": "initial"}  # a control's label at its full width, not cut to a fixed one


@dataclass
class Explorer:
    """A widget and a PNG of its first view, displayed as one output that carries both (JupyterLab renders the
    widget, a viewer without widgets the picture)."""

    widget: Any  # an ipywidgets widget
    picture: bytes  # PNG

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return self.widget._repr_mimebundle_(**kwargs) | {"image/png": base64.b64encode(self.picture).decode("ascii")}


def picture(figures: Sequence[plt.Figure]) -> bytes:
    """The figures as one PNG, one under the other, each saved as the notebook shows it (tight bounding box)."""
    from PIL import Image

    images = []
    for figure in figures:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        images.append(Image.open(buffer).convert("RGB"))
    sheet = Image.new("RGB", (max(image.width for image in images), sum(image.height for image in images)), "white")
    top = 0
    for image in images:
        sheet.paste(image, (0, top))
        top += image.height
    buffer = io.BytesIO()
    sheet.save(buffer, format="png")
    return buffer.getvalue()


def backprop_figures(
    learning_rate: float, init: str, bias_init: str, seed: int, epochs: int = EXPLORER_EPOCHS
) -> tuple[plt.Figure, plt.Figure]:
    """Train one 8-3-8 encoder with these settings; its training curves and its hidden layer's heatmaps."""
    X, Y = encoder_dataset()
    setting = {"learning_rates": [learning_rate], "inits": [init], "bias_inits": [bias_init], "seeds": [seed]}
    study = studies.with_rounded(studies.sweep(X, Y, epochs=epochs, **setting), X, Y)
    converged = study.table.rounded_stays.iloc[0]
    verdict = "never converges" if math.isnan(converged) else f"converged from epoch {int(converged):,}"
    curves = training_curves(
        {"loss": study.history.loss[0], "accuracy": 100 * study.history.accuracy[0]},
        ylabel=["MSE loss", "accuracy (%)"],
        xscale="log",
        yscale=["log", "linear"],
        title=f"η = {float(f'{learning_rate:.3g}'):g}, weights {init}, biases {bias_init}, seed {seed}: {verdict}",
        panel_size=(7.5, 3.8),  # the two panels as wide as the heatmaps under them
    )
    return curves, hidden_layer_heatmaps(study.networks[0], X)


def backprop_explorer(
    learning_rate: float = 10.0, epochs: int = EXPLORER_EPOCHS, init: str = "uniform", bias_init: str = "zeros"
) -> Explorer:
    """Sliders for learning rate, initialisation and seed (every seed notebook 01 runs: :func:`backprop_seeds`),
    starting at the arguments' values, that retrain the network and redraw its figures."""
    import ipywidgets as widgets

    pictures: list[bytes] = []  # the first view's, drawn when the widget is made

    def show(learning_rate: float, init: str, bias_init: str, seed: int) -> None:
        figures = backprop_figures(learning_rate, init, bias_init, seed, epochs)
        if not pictures:
            pictures.append(picture(figures))
        plt.show()

    low, high = LEARNING_RATES
    if not low <= check_real(learning_rate, "learning_rate", positive=True) <= high:  # the slider would clamp it
        raise ValueError(f"learning_rate must lie in the slider's range {low:g} to {high:g}, got {learning_rate!r}")
    for name, what in ((init, "init"), (bias_init, "bias_init")):
        choose(name, INITIALISERS, what)  # a ValueError naming the choices, before a dropdown's bare TraitError
    exponents = {"base": 10, "min": math.log10(low), "max": math.log10(high), "step": 0.25}
    widget = widgets.interactive(
        show,
        learning_rate=widgets.FloatLogSlider(
            value=learning_rate, **exponents, readout_format=READOUT, description="learning rate", style=LABELS
        ),
        init=widgets.Dropdown(options=list(INITIALISERS), value=init, description="weights", style=LABELS),
        bias_init=widgets.Dropdown(options=list(INITIALISERS), value=bias_init, description="biases", style=LABELS),
        seed=widgets.IntSlider(value=0, min=0, max=backprop_seeds()[1][-1], description="seed", style=LABELS),
    )
    return Explorer(widget, pictures[0])


def image_from_upload(content: bytes, name: str = "the uploaded file") -> np.ndarray:
    """An uploaded image file as one uint8 (32, 32, 3) RGB image: centre-cropped to a square, then shrunk.

    Read as ``colorize`` reads files (:func:`coursework.images.read_image`: upright, transparency over white,
    16-bit gray files scaled by 65535); unreadable files raise a ValueError that calls it ``name``.
    """
    from PIL import Image, ImageOps

    pixels = read_image(io.BytesIO(content), name)
    if pixels.dtype != np.uint8:  # high bit depth: to 8 bits, the autoencoders' input
        pixels = np.round(pixels * 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=-1)
    square = ImageOps.fit(Image.fromarray(pixels), IMAGE_SHAPE[1::-1])
    return np.asarray(square, dtype=np.uint8)


def autoencoder_figure(image: np.ndarray, autoencoders: Mapping) -> plt.Figure:
    """One uint8 (32, 32, 3) image, its reconstruction by each autoencoder (label -> model), its gray version and its
    colorization by ``coursework.colorization.colorize``'s default."""
    from coursework.autoencoders import reconstruct
    from coursework.colorization import colorize

    image = np.asarray(image)
    if image.shape != IMAGE_SHAPE:
        raise ValueError(f"one image of shape {IMAGE_SHAPE} is needed; got shape {image.shape}")
    image = check_images(image[None])[0]  # uint8
    reconstructions = [reconstruct(model, image[None])[0] for model in autoencoders.values()]
    gray = np.repeat(split_luma_chroma(image[None])[0][0], 3, axis=-1)  # what the colorizer sees
    columns = [image / 255, *reconstructions, gray, colorize(image) / 255]
    return image_rows({"": np.stack(columns)}, ["original", *autoencoders, "gray input", "colorize()"], size=1.6)


def autoencoder_explorer(images: np.ndarray | None = None, autoencoders: Mapping | None = None) -> Explorer:
    """Pick a test image (slider) or upload a photo: redraws :func:`autoencoder_figure`.

    By default the first :data:`EXPLORER_IMAGES` test images of ``coursework.data.cifar_split()`` and the committed
    :data:`AUTOENCODERS`, loaded here, so that the notebook's imports cell is all this needs. The picture is the one
    chosen last: moving the image slider after an upload shows that test image again. An upload is read once and
    then cleared, so the same file can be uploaded again; a file that is not an image leaves a one-line message
    under the picture shown before, and the controls go on working.
    """
    import ipywidgets as widgets

    if images is None:
        from coursework.data import cifar_split

        images = cifar_split().x_test[:EXPLORER_IMAGES]
    if autoencoders is None:
        from coursework.experiments.runs import load

        autoencoders = {label: load(name).model for label, name in AUTOENCODERS.items()}
    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="test image", style=LABELS)
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="or upload")
    output = widgets.Output()
    shown = {"image": images[index.value]}  # the picture chosen last: a test image or the last readable upload

    def redraw() -> None:
        with output:
            output.clear_output(wait=True)
            autoencoder_figure(shown["image"], autoencoders)
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
    upload.observe(read_upload, "value")
    first_view = picture([autoencoder_figure(shown["image"], autoencoders)])  # drawn outside the output: errors show
    with output:
        plt.show()
    return Explorer(widgets.VBox([widgets.HBox([index, upload]), output]), first_view)
