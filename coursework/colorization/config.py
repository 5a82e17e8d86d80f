"""What defines one colorizer experiment (:class:`ColorizerConfig`), checked when it is made, not when it trains."""

from __future__ import annotations

from dataclasses import dataclass

from coursework._tensorflow import keras
from coursework.autoencoders import check_architecture
from coursework.checks import check_bool
from coursework.data import DATASETS
from coursework.training import check_training_settings

TARGETS = ("chroma", "rgb")
ARCHITECTURES = ("cae", "unet")
# The one table of named training losses: a new loss is one entry here and the registry entry that names it.
LOSSES = {"mse": keras.losses.MeanSquaredError()}


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
        for name, value, allowed in (
            ("architecture", self.architecture, ARCHITECTURES),
            ("target", self.target, TARGETS),
            ("loss", self.loss, tuple(LOSSES)),
            ("dataset", self.dataset, tuple(DATASETS)),
        ):
            if not isinstance(value, str) or value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
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
