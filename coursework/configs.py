"""What defines one experiment, checked when it is made (before any data loads or TensorFlow is imported):
:class:`CAEConfig` for an autoencoder, :class:`ColorizerConfig` for a colorizer.

Optimizers, losses and output activations are named here (plain strings); :mod:`coursework.training` resolves each
name with Keras's own ``get`` (``keras.optimizers.get``, ``keras.losses.get``, ``keras.activations.get``), so a new
one is a name Keras knows added to its tuple.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coursework.checks import check_bool, check_real, check_whole
from coursework.data import DATASETS, dataset

OPTIMIZERS = ("adam", "sgd", "rmsprop")
OUTPUT_ACTIVATIONS = ("linear", "relu", "sigmoid")
LOSSES = ("mse",)  # the colorizers' training losses
TARGETS = ("chroma", "rgb")
ARCHITECTURES = ("cae", "unet")
DECODERS = ("upsample", "transposed")  # see coursework.autoencoders
# The fields of CAEConfig that build_cae takes (the architecture); the rest is how it trains.
ARCHITECTURE_FIELDS = ("filters", "kernel_size", "strides", "padding", "pool_size", "output_activation", "decoder")


def check_name(value: object, name: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of the names ``allowed``, else a ValueError that lists them."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_training_settings(config: Config) -> None:
    """A ValueError unless ``config``'s epochs, batch size, patience and learning rate can train a model.

    Caught when the config is made: ``epochs=0`` or a NaN learning rate would otherwise "train" without error and
    save an untrained model, or one full of NaN, and a negative seed would fail only once the data are loaded.
    """
    check_whole(config.epochs, "epochs", minimum=1)
    check_whole(config.batch_size, "batch_size", minimum=1)
    if config.patience is not None:
        check_whole(config.patience, "patience (None: no early stopping)", minimum=0)
    check_real(config.learning_rate, "learning_rate", positive=True)
    check_whole(config.seed, "seed", minimum=0, maximum=2**32 - 1)  # what NumPy's and TensorFlow's seeding accept


def check_architecture(
    filters: Sequence[int],
    kernel_size: int,
    strides: int | Sequence[int],
    padding: str,
    pool_size: int,
    image_size: int | None,
    decoder: str = "upsample",
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(filters, one stride per encoder convolution) as ints, or a ValueError naming the setting that cannot make
    an autoencoder of this image size: checked by the config too, so that a bad one fails before any data loads."""
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__len__") or len(filters) < 2:
        raise ValueError(f"filters needs at least two positive channel counts (encoder convolutions), got {filters!r}")
    filters = tuple(check_whole(f, "each entry of filters", minimum=1) for f in filters)
    stride_list = (strides,) * len(filters) if np.ndim(strides) == 0 else tuple(strides)
    if len(stride_list) != len(filters):
        raise ValueError(f"strides must be one positive int or one per encoder convolution, got {strides!r}")
    stride_list = tuple(check_whole(s, "each stride", minimum=1) for s in stride_list)
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    check_whole(kernel_size, "kernel_size", minimum=1)
    check_whole(pool_size, "pool_size", minimum=1)
    if image_size is None and padding != "same":
        raise ValueError("image_size=None (any input size) needs padding='same'")
    check_name(decoder, "decoder", DECODERS)
    if padding == "valid" and decoder != "transposed":
        raise ValueError("padding='valid' needs decoder='transposed' (it gives the trimmed pixels back)")
    downsampling = math.prod(stride_list) * pool_size ** (len(filters) - 1)
    if padding == "same" and image_size is not None and image_size % downsampling:
        raise ValueError(
            f"image_size {image_size} is not a multiple of the encoder's down-sampling {downsampling} (strides "
            f"{stride_list}, pooling {pool_size} after each convolution but the last): the decoder cannot mirror it "
            "without cropping"
        )
    return filters, stride_list


@dataclass(frozen=True)
class CAEConfig:
    """Everything that defines one autoencoder experiment: architecture (the defaults of :func:`build_cae`) and
    training."""

    filters: tuple[int, ...] = (8, 12, 16)
    kernel_size: int = 3
    strides: int | tuple[int, ...] = 1
    padding: str = "same"
    pool_size: int = 2
    output_activation: str = "relu"
    decoder: str = "upsample"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    patience: int | None = None  # early stopping on validation loss; None: train all epochs
    seed: int = 0
    dataset: str = "cifar10"  # a name in coursework.data.DATASETS: what it trains on, and its image size

    def __post_init__(self) -> None:
        filters, strides = check_architecture(
            self.filters, self.kernel_size, self.strides, self.padding, self.pool_size, self.image_size, self.decoder
        )
        object.__setattr__(self, "filters", filters)
        object.__setattr__(self, "strides", strides if np.ndim(self.strides) else strides[0])
        check_name(self.optimizer, "optimizer", OPTIMIZERS)
        check_name(self.output_activation, "output_activation", OUTPUT_ACTIVATIONS)
        check_training_settings(self)

    @property
    def image_size(self) -> int:
        """The side of the dataset's (square) images."""
        return dataset(self.dataset).image_shape[0]

    def build_kwargs(self) -> dict:
        """The architecture part of the config (the fields :func:`build_cae` takes) and the dataset's image size, as
        :func:`build_cae`'s keyword arguments."""
        return {name: getattr(self, name) for name in ARCHITECTURE_FIELDS} | {"image_size": self.image_size}


@dataclass(frozen=True)
class ColorizerConfig:
    """Everything that defines one colorizer experiment: architecture, target, loss and training.

    ``kernel_size``, ``strides``, ``padding`` and ``pool_size`` are the ``"cae"`` architecture's own (those of
    :func:`coursework.autoencoders.build_cae`); the U-Net uses ``kernel_size`` and ``pool_size`` and needs the
    defaults of the other two.
    """

    architecture: str = "unet"  # "cae": build_cae with 1 channel in; "unet": build_unet
    filters: tuple[int, ...] = (16, 32, 64, 64)
    kernel_size: int = 3
    strides: int = 1
    padding: str = "same"
    pool_size: int = 2
    target: str = "chroma"  # "chroma": Y -> Cr, Cb; "rgb": Y -> R, G, B (its colour is the chroma of its output)
    loss: str = "mse"  # a name in LOSSES
    augment: bool = False  # random horizontal flips and shifts of the training images
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 20
    patience: int | None = 3
    seed: int = 0
    dataset: str = "cifar10"  # a name in coursework.data.DATASETS: what it trains on

    def __post_init__(self) -> None:
        check_name(self.architecture, "architecture", ARCHITECTURES)
        check_name(self.target, "target", TARGETS)
        check_name(self.loss, "loss", LOSSES)
        check_name(self.dataset, "dataset", tuple(DATASETS))
        if self.architecture == "unet" and (self.strides, self.padding) != (1, "same"):
            raise ValueError("the U-Net needs strides=1 and padding='same' (its skip connections join equal sizes)")
        filters, _ = check_architecture(
            self.filters, self.kernel_size, self.strides, self.padding, self.pool_size, image_size=None
        )
        if self.architecture == "unet" and len(filters) < 3:
            raise ValueError(f"a U-Net needs at least three filters entries (levels), got {self.filters!r}")
        object.__setattr__(self, "filters", filters)
        object.__setattr__(self, "augment", check_bool(self.augment, "augment"))
        check_training_settings(self)


Config = CAEConfig | ColorizerConfig  # what defines one experiment
