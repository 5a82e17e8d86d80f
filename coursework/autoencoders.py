"""Convolutional autoencoders for RGB images: a builder of the architecture a :class:`~coursework.configs.CAEConfig`
defines, training, evaluation.

The reference architecture is ``build_cae()`` with its defaults (those of :class:`~coursework.configs.CAEConfig`)::

    encoder  Conv 8 (3x3, ReLU, same) -> MaxPool 2 -> Conv 12 (3x3) -> MaxPool 2 -> Conv 16 (3x3)  = latent 8x8x16
    decoder  UpSampling 2 -> Conv 12 (3x3) -> UpSampling 2 -> Conv 3 (3x3, output activation)

Encoder convolution ``i`` has ``filters[i]`` channels and stride ``strides[i]``; a pooling layer follows every
encoder convolution but the last (the latent). The decoder mirrors the encoder, in one of two ways:

* ``decoder="upsample"`` (the default): each encoder stage records how much it down-samples (a pooling layer and the
  stride of the convolution after it; the first stage also the first convolution's stride), and the decoder walks
  those stages backwards, one upsampling and one convolution each. It needs ``padding="same"``, which restores every
  size exactly, so the image side must be a multiple of the encoder's total down-sampling (a ValueError otherwise).
* ``decoder="transposed"``: every encoder layer undone in reverse order, a transposed convolution per convolution
  (with ``padding="valid"`` it adds the ``kernel_size - 1`` trimmed pixels back) and an upsampling per pooling
  layer, so it has one convolution more than the "upsample" decoder; with valid padding a crop removes the pixel
  that "same" pooling of an odd side rounded up. Valid padding needs this decoder.

Inputs and outputs are float images in [0, 1], shape (N, side, side, 3), the side of the config's dataset;
:mod:`coursework.colorization` builds the same architecture with one input channel (luminance), two output channels
(chroma) and any image size. Training goes through :mod:`coursework.training`, saved models through
:mod:`coursework.store`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras, layers
from coursework.configs import CAEConfig, check_architecture
from coursework.images import as_float, check_images
from coursework.training import PREDICT_BATCH_SIZE, call_in_batches, compile_model, start_session, train_model


def build_cae(
    filters: Sequence[int] = CAEConfig.filters,
    kernel_size: int = CAEConfig.kernel_size,
    strides: int | Sequence[int] = CAEConfig.strides,
    padding: str = CAEConfig.padding,
    pool_size: int = CAEConfig.pool_size,
    output_activation: str = CAEConfig.output_activation,
    decoder: str = CAEConfig.decoder,
    name: str = "cae",
    input_channels: int = 3,
    output_channels: int = 3,
    image_size: int | None = CAEConfig().image_size,
) -> keras.Model:
    """Build an (uncompiled) convolutional autoencoder ``keras.Model``, by default (N, 32, 32, 3) -> same shape.

    The colorizers reuse it with other channel counts (luminance in, chroma out) and ``image_size=None``: then the
    model is fully convolutional and takes any size whose sides are multiples of its down-sampling factor. A
    ValueError names any setting that cannot make an autoencoder of this image size (see the module docstring).
    """
    filters, stride_list = check_architecture(filters, kernel_size, strides, padding, pool_size, image_size, decoder)
    last = len(filters) - 1
    inputs = keras.Input((image_size, image_size, input_channels), name="image")
    x = inputs
    scales, scale = [], 1  # scales[stage]: the down-sampling that decoder stage undoes (same padding)
    undo = []  # (layer kind, index, side before it) of every encoder layer (transposed decoder)
    for index, (channels, stride) in enumerate(zip(filters, stride_list)):
        layer_name = f"encoder_conv{index + 1}"
        if padding == "valid" and x.shape[1] < kernel_size:
            raise ValueError(
                f"{layer_name} gets {x.shape[1]}x{x.shape[2]} inputs, smaller than its {kernel_size}x{kernel_size} "
                "kernel with padding='valid': use a smaller kernel, fewer encoder convolutions or padding='same'"
            )
        undo.append(("conv", index, x.shape[1]))
        x = layers.Conv2D(channels, kernel_size, strides=stride, padding=padding, activation="relu", name=layer_name)(x)
        scale *= stride
        if index > 0:
            scales.append(scale)
            scale = 1
        if index < last and pool_size > 1:
            undo.append(("pool", index, x.shape[1]))
            x = layers.MaxPooling2D(pool_size, padding="same", name=f"encoder_pool{index + 1}")(x)
            scale *= pool_size

    if decoder == "transposed":
        x = _transposed_decoder(
            x, undo, filters, kernel_size, stride_list, padding, pool_size, output_channels, output_activation
        )
        return keras.Model(inputs, x, name=name)
    for stage in reversed(range(last)):
        if scales[stage] > 1:
            x = layers.UpSampling2D(scales[stage], name=f"decoder_upsample{stage + 1}")(x)
        is_output = stage == 0
        x = layers.Conv2D(
            output_channels if is_output else filters[stage],
            kernel_size,
            padding=padding,
            activation=output_activation if is_output else "relu",
            name="decoder_output" if is_output else f"decoder_conv{stage + 1}",
        )(x)
    return keras.Model(inputs, x, name=name)


def _transposed_decoder(
    x: keras.KerasTensor,
    undo: list[tuple[str, int, int]],
    filters: tuple[int, ...],
    kernel_size: int,
    strides: tuple[int, ...],
    padding: str,
    pool_size: int,
    output_channels: int,
    output_activation: str,
) -> keras.KerasTensor:
    """The mirror image of an encoder: its layers undone in reverse order, each back to the side it had.

    A transposed convolution per encoder convolution, with the channel count it had as input (with valid padding it
    gives back the ``kernel_size - 1`` pixels that convolution trimmed); an upsampling per pooling layer. Where
    "same" pooling rounded an odd side up (13 -> 7), upsampling overshoots by a pixel (14), which a crop at the
    bottom and right removes (the side where the pooling had padded). Every output pixel is computed: there is no
    zero border.
    """
    for kind, index, side in reversed(undo):
        if kind == "pool":
            x = layers.UpSampling2D(pool_size, name=f"decoder_upsample{index + 1}")(x)
        else:
            is_output = index == 0
            stride = strides[index]
            x = layers.Conv2DTranspose(
                output_channels if is_output else filters[index - 1],
                kernel_size,
                strides=stride,
                padding=padding,
                # valid padding: the rows the stride skipped
                output_padding=None if stride == 1 or padding == "same" else (side - kernel_size) % stride,
                activation=output_activation if is_output else "relu",
                name="decoder_output" if is_output else f"decoder_conv{index + 1}",
            )(x)
        extra = x.shape[1] - side
        if extra < 0:  # cannot happen for these layers; guards the mirror's invariant
            raise ValueError(f"the decoder gives {x.shape[1]}x{x.shape[2]} where the encoder had {side}x{side}")
        if extra:
            x = layers.Cropping2D(((0, extra), (0, extra)), name=f"decoder_crop_{kind}{index + 1}")(x)
    return x


def check_autoencoder(model: object, where: str = "model") -> keras.Model:
    """``model`` if it is an autoencoder (RGB in, an image of the same shape out), else a ValueError naming the
    mistake: a colorizer (luminance in) would otherwise fail deep inside Keras."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"{where} must be a keras.Model (an autoencoder), got {type(model).__name__}")
    try:
        in_shape, out_shape = tuple(model.input.shape[1:]), tuple(model.output.shape[1:])
    except (AttributeError, ValueError):  # a subclassed or multi-input model: nothing to check before a call
        return model
    if in_shape[-1] != 3 or out_shape != in_shape:
        kind = "a colorizer" if in_shape[-1] == 1 else "not an autoencoder"
        raise ValueError(
            f"{where} is {kind}: it maps {in_shape} to {out_shape}, and an autoencoder maps RGB images (H, W, 3) to "
            "the same shape; colour gray images with coursework.colorization.colorize"
        )
    return model


def latent_layer(model: keras.Model) -> keras.layers.Layer:
    """The layer whose output is the latent representation: the last encoder convolution."""
    encoder_convs = [layer for layer in check_autoencoder(model).layers if layer.name.startswith("encoder_conv")]
    if not encoder_convs:
        raise ValueError(
            f"model {model.name!r} has no encoder_conv layers: describe() and latent_shape() need an autoencoder "
            "built by build_cae"
        )
    return encoder_convs[-1]


def latent_shape(model: keras.Model) -> tuple[int, int, int]:
    """Shape (H, W, C) of the latent representation: the output of :func:`latent_layer`."""
    return tuple(latent_layer(model).output.shape[1:])


def describe(model: keras.Model) -> str:
    """A compact, deterministic summary: one line per layer with output shape, activation (where it has one) and
    parameters, then the latent size."""
    lines = [f"{'layer':<18} {'output shape':<16} {'activation':<10} {'params':>7}"]
    for layer in model.layers[1:]:
        shape = "x".join(str(d) for d in layer.output.shape[1:])
        activation = layer.get_config().get("activation", "")
        lines.append(f"{layer.name:<18} {shape:<16} {activation:<10} {layer.count_params():>7}")
    h, w, c = latent_shape(model)
    inputs = np.prod(model.input.shape[1:])
    lines.append(
        f"latent {h}x{w}x{c} = {h * w * c} values ({h * w * c / inputs:.1%} of the input); "
        f"{model.count_params()} parameters"
    )
    return "\n".join(lines)


def compile_cae(model: keras.Model, config: CAEConfig) -> None:
    """Compile with the config's optimizer and learning rate and the mean squared error loss."""
    compile_model(model, "mse", config.learning_rate, config.optimizer)


def train_cae(
    config: CAEConfig, x_train: np.ndarray, x_val: np.ndarray, verbose: bool = True, checkpoint_dir: Path | None = None
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build, compile and train one autoencoder from ``config`` on uint8 images; returns (model, history).

    Seeds Python, NumPy, TensorFlow and Keras first. Prints one rounded line per epoch when ``verbose``. With
    ``config.patience`` set, stops early on validation loss and restores the best weights. ``checkpoint_dir``: as
    :func:`coursework.training.train_model` (resumable training).
    """
    x_train, x_val = check_images(x_train, "x_train"), check_images(x_val, "x_val")
    start_session(config.seed)
    model = build_cae(**config.build_kwargs())
    compile_cae(model, config)
    return model, train_model(model, config, x_train, x_val, verbose=verbose, checkpoint_dir=checkpoint_dir)


def reconstruct(model: keras.Model, images: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """The model's float outputs for uint8 ``images`` (at least one), batch by batch."""
    return call_in_batches(check_autoencoder(model), as_float(images), batch_size)


def evaluate_mse(model: keras.Model, images: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all pixels (in [0, 1]) of the model's reconstructions, and the per-image MSE."""
    per_image = np.mean((reconstruct(model, images) - as_float(images)) ** 2, axis=(1, 2, 3))
    return float(per_image.mean()), per_image
