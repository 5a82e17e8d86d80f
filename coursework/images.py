"""Images as the models take them: uint8 checks, conversion to float in [0, 1], PSNR, and the one image-file reader.

:func:`read_image` serves every image file the package reads: ``colorize``'s paths, the explorer's uploads and the
files of the CIFAR-10 JPEG zip.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np

# The formats read_image opens (PIL's names): what a camera, a phone or an image editor writes ("JPEG" includes a
# phone's multi-picture JPEG).
ACCEPTED_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")


def check_images(images: np.ndarray, name: str = "images") -> np.ndarray:
    """``images`` if they are uint8 (N, H, W, 3), else a ValueError: floats here would be divided by 255 again."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"{name} must be uint8 images (0..255), got dtype {images.dtype}")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (N, height, width, 3), got {images.shape}")
    return images


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images as float32 in [0, 1]."""
    return check_images(images).astype(np.float32) / 255.0


def psnr(mse: float | np.ndarray) -> float | np.ndarray:
    """Peak signal-to-noise ratio in dB for pixels in [0, 1]."""
    return 10 * np.log10(1.0 / np.asarray(mse))


def read_image(
    source: str | os.PathLike | BinaryIO, name: str | None = None, size: tuple[int, int] | None = None
) -> np.ndarray:
    """An image file (a path, or an open binary file such as an upload's bytes in ``io.BytesIO``), upright, as
    (H, W) gray or (H, W, 3) RGB: uint8, or float32 in [0, 1] for a 16-bit gray file (which keeps its precision).

    The EXIF orientation is applied (phone photos are stored sideways). Transparency is composited over white, as a
    viewer shows the image on a white page. Palette and CMYK images are converted to RGB by PIL (no colour
    management). ``name``: what error messages call the file (by default its path, or "the uploaded file").
    ``size``: the (width, height) it must have, checked from the header before any pixel is decoded. A file that
    cannot be read, including one over PIL's decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``), gives a
    one-line ValueError that names it.
    """
    from PIL import Image, ImageOps

    name = name or (str(source) if isinstance(source, (str, os.PathLike)) else "the uploaded file")
    try:
        with Image.open(source, formats=ACCEPTED_FORMATS) as image:
            if size is not None and image.size != tuple(size):
                raise ValueError(f"{image.size[0]}x{image.size[1]}, not {size[0]}x{size[1]}")
            return _pixels(ImageOps.exif_transpose(image))
    except Exception as error:  # PIL raises many types for a missing, damaged or unsupported file
        trust = (
            " Raise PIL.Image.MAX_IMAGE_PIXELS if you trust it."
            if isinstance(error, Image.DecompressionBombError)
            else ""
        )
        raise ValueError(f"cannot read an image from {name} ({type(error).__name__}: {error}){trust}") from error


def _pixels(image) -> np.ndarray:
    """The pixels of an opened PIL image, as :func:`read_image` returns them."""
    from PIL import Image

    if image.mode.startswith("I;16"):
        return np.asarray(image).astype(np.float32) / 65535
    if image.mode in ("I", "F"):  # converting would clip them to 8 bits without a word
        raise ValueError(f"32-bit {image.mode} pixels are not read: save the image with 8 or 16 bits per channel")
    if image.has_transparency_data:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return np.asarray(image.convert("L" if image.mode in ("1", "L") else "RGB"))
