"""Image arrays as the models take them: uint8 checks, conversion to float in [0, 1], and PSNR (NumPy only)."""

from __future__ import annotations

import numpy as np


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
