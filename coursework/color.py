"""RGB <-> YCrCb for float images in [0, 1], and a colourfulness measure.

The standard is full-range ITU-R BT.601, as used by JPEG/JFIF, PIL's ``"YCbCr"`` mode and OpenCV's
``COLOR_RGB2YCrCb`` on float images::

    Y  = 0.299 R + 0.587 G + 0.114 B          in [0, 1]   (luminance: what a grayscale photo keeps)
    Cr = 0.5 + 0.713 (R - Y)                  in [0, 1]   (red-difference chroma; 0.5 = no colour)
    Cb = 0.5 + 0.564 (B - Y)                  in [0, 1]   (blue-difference chroma)

Channels come in OpenCV's order Y, Cr, Cb. The inverse is the exact matrix inverse, so a round trip returns the
input to float precision; chroma predicted out of gamut maps to RGB outside [0, 1], which
:func:`ycrcb_to_rgb` clips. No library conversion fits here: PIL's works on 8-bit images only (we test against
it), ``tf.image.rgb_to_yuv`` has other chroma scales, and OpenCV is not a dependency. The same two constants
serve NumPy (plots, metrics) and TensorFlow (the training pipeline, :func:`coursework.colorization`).

Every function takes finite floats in [0, 1] only and raises a ValueError otherwise: uint8 or floats in 0..255
would give answers off by a factor of 255 (a colourfulness of 39,000, negative chroma) without any other sign.
"""

from __future__ import annotations

import numpy as np

from coursework.images import as_float

LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])
# Rows: Y, Cr, Cb as linear functions of (R, G, B); Cr = (R - Y) / 1.402, Cb = (B - Y) / 1.772.
# Kept in float64 and cast to the images' dtype, so float64 images round-trip to float64 precision.
RGB_TO_YCRCB = np.stack([LUMA_WEIGHTS, (np.eye(3)[0] - LUMA_WEIGHTS) / 1.402, (np.eye(3)[2] - LUMA_WEIGHTS) / 1.772])
YCRCB_OFFSET = np.array([0.0, 0.5, 0.5])
YCRCB_TO_RGB = np.linalg.inv(RGB_TO_YCRCB)


# Values may leave [0, 1] by this much: float round-off of the conversions (about 1e-7), not a second scale.
RANGE_TOLERANCE = 1e-3


def _check_float_channels(images: np.ndarray, channels: int, name: str) -> np.ndarray:
    """``images`` if they are finite floats in [0, 1] with ``channels`` channels last, else a ValueError.

    Floats in 0..255 are the mistake this catches: every formula here would silently scale them by 255.
    """
    images = np.asarray(images)
    if images.dtype.kind != "f":
        raise ValueError(f"{name} must be float images in [0, 1], got dtype {images.dtype}; divide uint8 by 255")
    if images.ndim < 1 or images.shape[-1] != channels:
        raise ValueError(f"{name} must have {channels} channels in the last axis, got shape {images.shape}")
    if images.size:
        low, high = images.min(), images.max()  # NaN propagates, so one test also rejects NaN
        if not (low >= -RANGE_TOLERANCE and high <= 1 + RANGE_TOLERANCE):
            if not np.all(np.isfinite(images)):
                raise ValueError(f"{name} contains NaN or infinite values")
            hint = "; floats in 0..255? divide by 255 first (or pass uint8 where it is accepted)" if high > 1 else ""
            raise ValueError(f"{name} must lie in [0, 1], got values in [{low:.4g}, {high:.4g}]{hint}")
    return images


def rgb_to_ycrcb(rgb: np.ndarray) -> np.ndarray:
    """Float RGB (..., 3) in [0, 1] to Y, Cr, Cb (..., 3), each in [0, 1]."""
    rgb = _check_float_channels(rgb, 3, "rgb")
    return (rgb @ RGB_TO_YCRCB.T.astype(rgb.dtype)) + YCRCB_OFFSET.astype(rgb.dtype)


def ycrcb_to_rgb(ycrcb: np.ndarray, clip: bool = True) -> np.ndarray:
    """Y, Cr, Cb (..., 3) to float RGB (..., 3); clipped to [0, 1] unless ``clip=False`` (exact inverse)."""
    ycrcb = _check_float_channels(ycrcb, 3, "ycrcb")
    rgb = (ycrcb - YCRCB_OFFSET.astype(ycrcb.dtype)) @ YCRCB_TO_RGB.T.astype(ycrcb.dtype)
    return np.clip(rgb, 0.0, 1.0) if clip else rgb


def merge_luma_chroma(luma: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """RGB in [0, 1] from luminance (..., 1) and chroma Cr, Cb (..., 2) of the same spatial size."""
    luma, chroma = _check_float_channels(luma, 1, "luma"), _check_float_channels(chroma, 2, "chroma")
    if luma.shape[:-1] != chroma.shape[:-1]:
        raise ValueError(f"luma {luma.shape} and chroma {chroma.shape} differ in size")
    return ycrcb_to_rgb(np.concatenate([luma, chroma], axis=-1))


def colorfulness(rgb: np.ndarray) -> np.ndarray:
    """Hasler & Süsstrunk (2003) colourfulness of each image (N, H, W, 3) in [0, 1], on their 0-255 scale.

    M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2), with rg = R - G and
    yb = (R + G) / 2 - B. Gray images score 0; the authors call about 33 "moderately" and 59 "quite" colourful.
    """
    rgb = _check_float_channels(rgb, 3, "rgb")
    if rgb.ndim != 4:
        raise ValueError(f"rgb must be a batch (N, H, W, 3), got shape {rgb.shape}")
    red, green, blue = (255.0 * rgb[..., channel].astype(np.float64) for channel in range(3))
    rg, yb = red - green, (red + green) / 2 - blue
    spread = np.sqrt(rg.std(axis=(1, 2)) ** 2 + yb.std(axis=(1, 2)) ** 2)
    offset = np.sqrt(rg.mean(axis=(1, 2)) ** 2 + yb.mean(axis=(1, 2)) ** 2)
    return spread + 0.3 * offset


def split_luma_chroma(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Luminance (N, H, W, 1) and chroma (N, H, W, 2), float32, of uint8 RGB ``images``."""
    ycrcb = rgb_to_ycrcb(as_float(images))
    return ycrcb[..., :1], ycrcb[..., 1:]


def mean_chroma(images: np.ndarray, batch_size: int = 4000) -> np.ndarray:
    """The average Cr, Cb of uint8 RGB ``images`` (float64 sums, batch by batch: float32 sums drift at this size)."""
    total = sum(
        split_luma_chroma(images[start : start + batch_size])[1].sum(axis=(0, 1, 2), dtype=np.float64)
        for start in range(0, len(images), batch_size)
    )
    return (total / (len(images) * images.shape[1] * images.shape[2])).astype(np.float32)
