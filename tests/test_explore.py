"""The notebooks' interactive sections: the functions behind the widgets, called as plain functions."""

import base64
import io
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402
from PIL import Image  # noqa: E402

from coursework import explore  # noqa: E402
from coursework.explore import (  # noqa: E402
    AUTOENCODERS,
    autoencoder_explorer,
    autoencoder_figure,
    backprop_explorer,
    backprop_figures,
    image_from_upload,
    picture,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_backprop_figures_show_the_run_and_its_verdict() -> None:
    curves, heatmaps = backprop_figures(learning_rate=50.0, init="uniform", bias_init="zeros", seed=0, epochs=3000)
    assert [ax.get_title() for ax in curves.axes] == ["loss", "accuracy"]
    assert curves.get_suptitle().startswith("η = 50, weights uniform, biases zeros, seed 0: converged from epoch")
    assert heatmaps.axes[0].get_title() == "hidden activations $a_1$"
    plt.close("all")


def test_zero_initialisation_is_reported_as_not_learning() -> None:
    curves, _ = backprop_figures(learning_rate=10.0, init="zeros", bias_init="zeros", seed=0, epochs=200)
    assert curves.get_suptitle().endswith("never converges")
    plt.close("all")


@pytest.mark.parametrize(
    ("rate", "shown"), [(0.1, "0.1"), (10**0.25, "1.78"), (10**1.25, "17.8"), (90.0, "90"), (1000.0, "1000")]
)
def test_titles_print_the_learning_rate_to_three_significant_figures_as_the_report_writes_it(
    rate: float, shown: str
) -> None:
    curves, _ = backprop_figures(learning_rate=rate, init="uniform", bias_init="zeros", seed=0, epochs=5)
    assert curves.get_suptitle().startswith(f"η = {shown}, weights uniform")
    plt.close("all")


def displayed_picture(explorer) -> bytes:
    """The PNG in the one output IPython makes of ``explorer``, which must also carry the live widget."""
    data, _ = DisplayFormatter().format(explorer)
    assert {WIDGET_VIEW, "image/png"} <= data.keys()
    assert data[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    return base64.b64decode(data["image/png"])


def test_the_explorer_wires_every_setting_to_a_labelled_control_and_shows_its_first_view(monkeypatch) -> None:
    monkeypatch.setenv("LR_SEEDS", "7")
    explorer = backprop_explorer(learning_rate=90.0, epochs=50, init="zeros", bias_init="uniform")
    controls = {child.description: child.value for child in explorer.widget.children[:-1]}
    assert explorer.widget.children[3].max == 34  # the seed slider offers every seed notebook 01 runs (0 to 5 x 7 - 1)
    assert controls == {"learning rate": 90.0, "weights": "zeros", "biases": "uniform", "seed": 0}
    assert {child.style.description_width for child in explorer.widget.children[:-1]} == {"initial"}  # not cut off
    first_view = backprop_figures(learning_rate=90.0, init="zeros", bias_init="uniform", seed=0, epochs=50)
    assert displayed_picture(explorer) == picture(first_view)
    plt.close("all")


@pytest.mark.parametrize("rate", [0.0, -1.0, 5000.0, float("nan")])
def test_the_explorer_refuses_a_learning_rate_its_slider_cannot_show(rate: float) -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        backprop_explorer(learning_rate=rate, epochs=5)


def test_the_explorer_names_the_starts_it_knows() -> None:
    with pytest.raises(ValueError, match="unknown bias_init 'glorot'; choose one of"):
        backprop_explorer(epochs=5, bias_init="glorot")


def test_a_picture_stacks_its_figures() -> None:
    small, wide = plt.figure(figsize=(1, 1), dpi=50), plt.figure(figsize=(3, 1), dpi=50)
    small.patch.set_facecolor("black")
    sheet = Image.open(io.BytesIO(picture([small, wide])))
    heights = [Image.open(io.BytesIO(picture([figure]))).height for figure in (small, wide)]
    assert sheet.size == (Image.open(io.BytesIO(picture([wide]))).width, sum(heights))
    assert sheet.getpixel((1, 1)) == (0, 0, 0) and sheet.getpixel((sheet.width - 1, 1)) == (255, 255, 255)
    plt.close("all")


def tiny_autoencoders() -> dict:
    """A small untrained autoencoder: the figures' plumbing, not their quality."""
    from coursework.autoencoders import build_cae

    return {"tiny": build_cae(filters=(4, 4))}


def fake_colorize(image: np.ndarray) -> np.ndarray:
    """Stands in for colorize(): its gray input, in colour."""
    return np.repeat(image.mean(axis=-1, keepdims=True), 3, axis=-1).astype(np.uint8)


def test_autoencoder_figure_shows_every_model_and_the_colorization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coursework.colorization.colorize", fake_colorize)
    autoencoders = tiny_autoencoders()
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    figure = autoencoder_figure(image, autoencoders)
    assert [ax.get_title() for ax in figure.axes] == ["original", "tiny", "gray input", "colorize()"]
    for wrong in (image[:16], image[..., 0], np.stack([image, image])):
        with pytest.raises(ValueError, match=r"\(32, 32, 3\)"):
            autoencoder_figure(wrong, autoencoders)
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


def test_the_autoencoder_explorer_loads_the_committed_models_and_test_images_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("coursework.colorization.colorize", fake_colorize)
    explorer = autoencoder_explorer()
    index, upload = explorer.widget.children[0].children
    assert (index.value, index.max, upload.accept, index.style.description_width) == (0, 199, "image/*", "initial")
    from coursework.data import cifar_split
    from coursework.experiments.runs import load

    autoencoders = {label: load(name).model for label, name in AUTOENCODERS.items()}
    assert displayed_picture(explorer) == picture([autoencoder_figure(cifar_split().x_test[0], autoencoders)])
    plt.close("all")


def drawn_explorer(monkeypatch: pytest.MonkeyPatch) -> tuple[list, tuple, np.ndarray]:
    """An autoencoder explorer over 5 test images (image i filled with i) that records what it draws, its image
    slider and upload, and the images."""
    drawn = []

    def record(image: np.ndarray, autoencoders: dict) -> plt.Figure:
        drawn.append(int(image[0, 0, 0]))
        return plt.figure(figsize=(1, 1))

    monkeypatch.setattr(explore, "autoencoder_figure", record)
    images = np.arange(5, dtype=np.uint8)[:, None, None, None] * np.ones((1, 32, 32, 3), dtype=np.uint8)
    explorer = autoencoder_explorer(images, {})
    return drawn, explorer.widget.children[0].children, images


MODIFIED = datetime(2026, 1, 1, tzinfo=UTC)


def uploaded(name: str, content: bytes) -> tuple[dict]:
    """A FileUpload value holding one file, as the browser sends it."""
    return (
        {"name": name, "type": "", "size": len(content), "content": memoryview(content), "last_modified": MODIFIED},
    )


def test_the_image_slider_works_again_after_an_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn, (index, upload), _ = drawn_explorer(monkeypatch)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 10)).save(buffer, format="PNG")
    upload.value = uploaded("photo.png", buffer.getvalue())
    assert upload.value == ()  # read once, then cleared: the same file can be uploaded again
    index.value = 3  # back to the test images
    assert drawn == [0, 200, 3]
    upload.value = uploaded("photo.png", buffer.getvalue())  # the same file again
    assert drawn[-1] == 200
    plt.close("all")


def test_a_file_that_is_no_image_prints_one_line_and_the_controls_go_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    drawn, (index, upload), _ = drawn_explorer(monkeypatch)
    capsys.readouterr()
    upload.value = uploaded("notes.txt", b"not an image")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip("\x1b[2K\r")]
    assert len(lines) == 1 and lines[0].startswith("cannot read an image from notes.txt")
    assert lines[0].endswith("; the picture above stays")
    assert upload.value == ()
    index.value = 2
    assert drawn == [0, 2]
    plt.close("all")
