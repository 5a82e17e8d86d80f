"""Tests of the colour conversions and the colourfulness measure (coursework.color)."""

import numpy as np
import pytest
from PIL import Image

from coursework.color import colorfulness, merge_luma_chroma, rgb_to_ycrcb, ycrcb_to_rgb


def random_rgb(shape: tuple, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact_to_float_precision(dtype: type) -> None:
    rgb = random_rgb((4, 9, 7, 3)).astype(dtype)
    back = ycrcb_to_rgb(rgb_to_ycrcb(rgb), clip=False)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, rgb, atol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize(
    ("rgb", "ycrcb"),
    [
        ((0, 0, 0), (0, 0.5, 0.5)),
        ((1, 1, 1), (1, 0.5, 0.5)),
        ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),  # any gray has no chroma
        ((1, 0, 0), (0.299, 1.0, 0.5 - 0.299 / 1.772)),  # pure red: Cr at its maximum
        ((0, 0, 1), (0.114, 0.5 - 0.114 / 1.402, 1.0)),  # pure blue: Cb at its maximum
        ((0, 1, 0), (0.587, 0.5 - 0.587 / 1.402, 0.5 - 0.587 / 1.772)),
    ],
)
def test_known_values(rgb: tuple, ycrcb: tuple) -> None:
    np.testing.assert_allclose(rgb_to_ycrcb(np.array(rgb, np.float32)), ycrcb, atol=1e-6)


def test_every_rgb_color_lands_in_the_unit_cube() -> None:
    corners = np.array(np.meshgrid([0, 1], [0, 1], [0, 1])).reshape(3, -1).T.astype(np.float32)
    ycrcb = rgb_to_ycrcb(corners)
    assert ycrcb.min() >= -1e-6 and ycrcb.max() <= 1 + 1e-6


def test_matches_pil_jpeg_conversion_within_rounding() -> None:
    image = (random_rgb((16, 16, 3), seed=1) * 255).round().astype(np.uint8)
    pil = np.asarray(Image.fromarray(image).convert("YCbCr")).astype(np.float32)  # channels Y, Cb, Cr
    ours = rgb_to_ycrcb(image.astype(np.float32) / 255)[..., [0, 2, 1]] * 255
    assert np.abs(pil - ours).max() <= 1.0  # PIL rounds to 8 bits with fixed-point arithmetic


def test_out_of_gamut_chroma_is_clipped_only_when_asked() -> None:
    ycrcb = np.array([[0.5, 1.0, 1.0]], np.float32)  # very red and very blue at mid luminance: not an RGB colour
    assert ycrcb_to_rgb(ycrcb, clip=False).max() > 1
    clipped = ycrcb_to_rgb(ycrcb)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_merge_luma_chroma_recombines_the_channels() -> None:
    rgb = random_rgb((2, 5, 5, 3))
    ycrcb = rgb_to_ycrcb(rgb)
    np.testing.assert_allclose(merge_luma_chroma(ycrcb[..., :1], ycrcb[..., 1:]), rgb, atol=1e-6)
    with pytest.raises(ValueError, match="differ in size"):
        merge_luma_chroma(ycrcb[:, :4, :, :1], ycrcb[..., 1:])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rgb_to_ycrcb(np.zeros((2, 2, 3), np.uint8)), "float images"),
        (lambda: rgb_to_ycrcb(np.zeros((2, 2, 4), np.float32)), "3 channels"),
        (lambda: ycrcb_to_rgb(np.zeros((2, 2, 2), np.float32)), "3 channels"),
        (lambda: colorfulness(np.zeros((2, 2, 3), np.float32)), "batch"),
    ],
)
def test_bad_input_raises(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_colorfulness_is_zero_for_gray_and_grows_with_saturation() -> None:
    gray = np.repeat(random_rgb((3, 8, 8, 1)), 3, axis=-1)
    np.testing.assert_allclose(colorfulness(gray), 0, atol=1e-9)
    ycrcb = rgb_to_ycrcb(random_rgb((1, 8, 8, 3), seed=2) * 0.5 + 0.25)
    scores = [
        colorfulness(ycrcb_to_rgb(np.concatenate([ycrcb[..., :1], 0.5 + s * (ycrcb[..., 1:] - 0.5)], -1)))[0]
        for s in (0.25, 0.5, 1.0)
    ]
    assert scores[0] < scores[1] < scores[2]


def test_colorfulness_of_a_flat_color_is_the_offset_term() -> None:
    red = np.zeros((1, 4, 4, 3), np.float32)
    red[..., 0] = 1.0  # rg = 255, yb = 127.5, no spread
    np.testing.assert_allclose(colorfulness(red), 0.3 * np.hypot(255, 127.5))


FLOAT_IMAGE_CALLS = {
    "rgb_to_ycrcb": lambda x: rgb_to_ycrcb(x),
    "ycrcb_to_rgb": lambda x: ycrcb_to_rgb(x),
    "colourfulness": lambda x: colorfulness(x),
    "merge_luma_chroma": lambda x: merge_luma_chroma(x[..., :1], x[..., 1:]),
}


@pytest.mark.parametrize("name", sorted(FLOAT_IMAGE_CALLS))
def test_floats_in_0_to_255_are_rejected_naming_the_fix(name: str) -> None:
    images = random_rgb((2, 4, 4, 3)) * 255  # uint8 values cast to float, the mistake: off by 255 with no other sign
    with pytest.raises(ValueError, match="divide by 255"):
        FLOAT_IMAGE_CALLS[name](images)


@pytest.mark.parametrize("name", sorted(FLOAT_IMAGE_CALLS))
@pytest.mark.parametrize(("value", "message"), [(np.nan, "NaN"), (np.inf, "NaN or infinite"), (-0.5, r"\[0, 1\]")])
def test_non_finite_and_negative_floats_are_rejected(name: str, value: float, message: str) -> None:
    images = random_rgb((2, 4, 4, 3))
    images[1, 2, 3, 0] = value
    with pytest.raises(ValueError, match=message):
        FLOAT_IMAGE_CALLS[name](images)


def test_round_off_just_outside_the_unit_range_is_accepted() -> None:
    rgb = random_rgb((1, 4, 4, 3))
    rgb[0, 0, 0] = [-1e-7, 1 + 1e-7, 0.5]  # what the conversions' float arithmetic produces
    np.testing.assert_allclose(ycrcb_to_rgb(rgb_to_ycrcb(rgb), clip=False), rgb, atol=1e-6)
    assert np.isfinite(colorfulness(rgb)).all()
