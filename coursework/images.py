"""Images as the models take them: uint8 checks, conversion to float in [0, 1], PSNR, and the one image-file reader.

:func:`read_image` serves every image file the package reads: ``colorize``'s paths, the explorer's uploads and the
files of a CIFAR-10 image folder or zip. A file is refused with a ValueError, before its pixels are decoded, when it
is not a regular file, not in a format a user would upload, or larger than ``PIL.Image.MAX_IMAGE_PIXELS``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np

# The formats read_image opens (PIL's names): what a camera, a phone or an image editor writes ("JPEG" includes a
# phone's multi-picture JPEG). PIL's rarer plugins (DDS, SPIDER, ...) fail on malformed files in ways of their own.
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
    (H, W) gray or (H, W, 3) RGB: uint8 for 8-bit files, else float32 in [0, 1].

    The EXIF orientation is applied (phone photos are stored sideways). Transparency (an alpha channel, or a PNG's
    transparent colour, 16-bit gray ones too) is composited over white, as a viewer shows the image on a white page;
    a 16-bit RGB PNG's transparent colour, which PIL loses, is refused. Palette and CMYK images are converted to RGB
    by PIL (no colour management). High bit depths keep their precision: 16-bit files are scaled by 65535; 32-bit
    integer files, which have no standard white level, by the largest value of the narrowest of 8, 16 and 31 bits
    that holds their values (a 16-bit image saved as int32 reads as 16-bit); float files must lie in [0, 1].

    ``name``: what error messages call the file (by default its path, or "the uploaded file"). ``size``: the
    (width, height) it must have, checked from the header before any pixel is decoded. Every file that cannot be
    read gives a ValueError, whatever PIL's decoder raised.
    """
    from PIL import ImageOps

    name = name or (str(source) if isinstance(source, (str, os.PathLike)) else "the uploaded file")
    with _open(source, name) as image:
        if size is not None and image.size != tuple(size):
            raise ValueError(f"{name} is {image.size[0]}x{image.size[1]}, not {size[0]}x{size[1]}")
        try:
            return _pixels(ImageOps.exif_transpose(image))
        except MemoryError:
            raise
        except Exception as error:  # PIL's decoders raise OSError, SyntaxError, struct.error, ... for a damaged file
            raise _unreadable(name, error) from error


def _open(source: str | os.PathLike | BinaryIO, name: str):
    """``source`` opened by PIL (its header read, no pixels decoded), or a ValueError that says why it cannot be."""
    from PIL import Image

    if isinstance(source, (str, os.PathLike)) and not Path(source).is_file():  # a FIFO or a device would block
        what = "no such file" if not Path(source).exists() else "not a regular file (a folder, FIFO or device)"
        raise ValueError(f"cannot read an image from {name}: {what}")
    try:
        with warnings.catch_warnings():
            # PIL only warns between MAX_IMAGE_PIXELS and twice that; the package refuses a bomb from the limit on.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(source, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValueError(
            f"cannot read an image from {name} ({type(error).__name__}: {error}) Raise PIL.Image.MAX_IMAGE_PIXELS if "
            "you trust the file"
        ) from error
    except MemoryError:
        raise
    except Image.UnidentifiedImageError as error:
        raise ValueError(
            f"cannot read an image from {name}: not an image in a format this reads ({', '.join(ACCEPTED_FORMATS)})"
        ) from error
    except Exception as error:  # a damaged header: PIL raises one of many exception types
        raise _unreadable(name, error) from error


def _unreadable(name: str, error: Exception) -> ValueError:
    """The ValueError for a file PIL could not read, naming the file and what PIL said."""
    return ValueError(f"cannot read an image from {name} ({type(error).__name__}: {error})")


def _pixels(image) -> np.ndarray:
    """The pixels of an opened PIL image, as :func:`read_image` returns them."""
    from PIL import Image

    transparent = image.info.get("transparency")  # a PNG's tRNS colour (alpha channels are composited below)
    if image.mode.startswith("I;16"):
        return _over_white(np.asarray(image), np.asarray(image).astype(np.float32) / 65535, transparent)
    if image.mode in ("I", "F"):
        values = np.asarray(image)
        low, high = values.min(), values.max()
        if image.mode == "F":
            if not (low >= 0 and high <= 1):  # also false for NaN
                raise ValueError(f"float pixels must be finite and lie in [0, 1], got [{low:.4g}, {high:.4g}]")
            return values.astype(np.float32)
        if low < 0:
            raise ValueError(f"32-bit integer pixels must be >= 0, got values in [{low}, {high}]")
        white = next(2**bits - 1 for bits in (8, 16, 31) if high <= 2**bits - 1)
        return _over_white(values, (values / white).astype(np.float32), transparent)
    if isinstance(transparent, tuple) and max(transparent) > 255:
        raise ValueError(
            f"a 16-bit {image.mode} image with a transparent colour {transparent}: PIL reduces its pixels to 8 bits, "
            "so which of them are transparent is lost; save it with an alpha channel (RGBA) or without transparency"
        )
    if image.has_transparency_data:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return np.asarray(image.convert("L" if image.mode in ("1", "L") else "RGB"))


def _over_white(values: np.ndarray, pixels: np.ndarray, transparent: object) -> np.ndarray:
    """Gray ``pixels`` (float in [0, 1]) with those whose raw ``values`` equal the ``transparent`` value (a PNG's tRNS
    gray level, or None) shown over white, as transparency is for 8-bit files."""
    if isinstance(transparent, int) and not isinstance(transparent, bool):
        pixels[values == transparent] = 1.0
    return pixels
