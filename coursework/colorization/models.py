"""The colorizer networks: the U-Net, the builder of a config's model, and their (ensembled) chroma predictions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coursework._tensorflow import keras, layers
from coursework.autoencoders import build_cae
from coursework.color import rgb_to_ycrcb
from coursework.configs import ColorizerConfig
from coursework.training import PREDICT_BATCH_SIZE, call_in_batches


def build_unet(
    filters: tuple[int, ...] = ColorizerConfig.filters,
    head_channels: int = 2,
    kernel_size: int = ColorizerConfig.kernel_size,
    pool_size: int = ColorizerConfig.pool_size,
    name: str = "unet",
) -> keras.Model:
    """A small U-Net from luminance (N, H, W, 1) to ``head_channels`` linear outputs at 1 / ``pool_size``
    resolution.

    Encoder: one ReLU convolution per level with ``filters[i]`` channels, max pooling between levels, the last entry
    at the bottom. Decoder: upsample, concatenate the encoder's features of that level (the skip connection that
    carries edges and positions past the bottleneck), convolve; it stops one level above the input's resolution,
    where a 1x1 convolution gives the head (chroma varies slowly; JPEG keeps it at half resolution too).
    """
    inputs = keras.Input((None, None, 1), name="luma")
    x, skips = inputs, []
    for level, channels in enumerate(filters[:-1]):
        x = layers.Conv2D(channels, kernel_size, padding="same", activation="relu", name=f"down{level + 1}")(x)
        skips.append(x)
        x = layers.MaxPooling2D(pool_size, name=f"pool{level + 1}")(x)
    x = layers.Conv2D(filters[-1], kernel_size, padding="same", activation="relu", name="bottom")(x)
    for level in reversed(range(1, len(filters) - 1)):
        x = layers.UpSampling2D(pool_size, name=f"up{level + 1}")(x)
        x = layers.Concatenate(name=f"skip{level + 1}")([x, skips[level]])
        x = layers.Conv2D(filters[level], kernel_size, padding="same", activation="relu", name=f"up{level + 1}_conv")(x)
    outputs = layers.Conv2D(head_channels, 1, name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def build_colorizer(config: ColorizerConfig) -> keras.Model:
    """The (uncompiled) model that ``config`` trains: luminance (N, H, W, 1) -> chroma (2) or RGB (3) in [0, 1]."""
    channels = 3 if config.target == "rgb" else 2
    if config.architecture == "cae":
        return build_cae(
            config.filters,
            config.kernel_size,
            config.strides,
            config.padding,
            config.pool_size,
            output_activation="sigmoid",
            input_channels=1,
            output_channels=channels,
            image_size=None,
            name="colorizer",
        )
    unet = build_unet(config.filters, channels, config.kernel_size, config.pool_size)
    outputs = layers.Activation("sigmoid", name="sigmoid")(unet.output)
    outputs = layers.UpSampling2D(config.pool_size, interpolation="bilinear", name="full_size")(outputs)
    return keras.Model(unet.input, outputs, name="colorizer")


def downsampling_factor(model: keras.Model) -> int:
    """The factor the model's sides must be multiples of: the product of its pooling sizes."""
    pools = [layer.pool_size[0] for layer in model.layers if isinstance(layer, layers.MaxPooling2D)]
    return int(np.prod(pools)) if pools else 1


def predict_chroma(model: keras.Model, luma: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """Chroma (N, H, W, 2) for float luminance (N, H, W, 1); sides must be multiples of the model's factor.

    A model with three outputs (``target="rgb"``) gives RGB: its chroma is that of its output.
    """
    outputs = call_in_batches(model, luma, batch_size)
    return rgb_to_ycrcb(np.clip(outputs, 0, 1))[..., 1:] if outputs.shape[-1] == 3 else outputs


def check_colorizer(model: keras.Model, where: str = "model") -> keras.Model:
    """``model`` if it maps luminance (one channel) to chroma or RGB, else a ValueError that names the mistake.

    An autoencoder (RGB in, RGB out) given where a colorizer belongs would otherwise fail deep inside Keras.
    """
    try:
        in_channels, out_channels = model.input.shape[-1], model.output.shape[-1]
    except (AttributeError, ValueError):  # a subclassed or multi-input model: nothing to check before a call
        return model
    if in_channels != 1 or out_channels not in (2, 3):
        kind = "an autoencoder" if in_channels == out_channels == 3 else "not a colorizer"
        raise ValueError(
            f"{where} is {kind}: it maps {in_channels} channel(s) to {out_channels}, and a colorizer maps luminance "
            "(1 channel) to chroma (2) or RGB (3)"
        )
    return model


def ensemble_chroma(
    models: Sequence[keras.Model],
    luma: np.ndarray,
    flips: bool = False,
    gain: float = 1.0,
    batch_size: int = PREDICT_BATCH_SIZE,
) -> np.ndarray:
    """Chroma (N, H, W, 2) of float luminance (N, H, W, 1): the average of every model's :func:`predict_chroma`
    (and, with ``flips``, of its prediction for the left-right mirrored luminance, mirrored back), moved away from
    gray by ``gain`` (:func:`color_gain`)."""
    if not models:
        raise ValueError("an ensemble needs at least one model")
    views = [(luma, lambda chroma: chroma)]
    if flips:
        views.append((np.ascontiguousarray(luma[:, :, ::-1]), lambda chroma: chroma[:, :, ::-1]))
    total = sum(back(predict_chroma(model, view, batch_size)) for model in models for view, back in views)
    return color_gain(total / (len(models) * len(views)), gain)


def color_gain(chroma: np.ndarray, gain: float) -> np.ndarray:
    """``chroma`` moved away from gray (0.5) by the factor ``gain``, clipped to [0, 1]: more colour for gain > 1."""
    return np.clip(0.5 + gain * (chroma - 0.5), 0, 1).astype(np.float32)
