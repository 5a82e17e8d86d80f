"""What defines one colorizer experiment (:class:`ColorizerConfig`), checked when it is made, not when it trains."""

from __future__ import annotations

from dataclasses import dataclass, field

from coursework.checks import check_bool, check_real, check_whole
from coursework.training import check_training_settings

TARGETS = ("chroma", "rgb", "bins")
ARCHITECTURES = ("cae", "unet")
LOSS_NAMES = {"chroma": "chroma MSE", "rgb": "RGB MSE", "bins": "cross-entropy"}  # the loss per target
# The finest colour grid: 50 cells a side. Finer grids hold more classes than a U-Net head should predict, and
# fitting them would need memory that grows with the fourth power of 1 / bin_size.
MIN_BIN_SIZE = 0.02


@dataclass(frozen=True)
class ColorizerConfig:
    """Everything that defines one colorizer experiment: architecture, target, loss and training."""

    architecture: str = "unet"  # "cae": build_cae with 1 channel in; "unet": build_unet
    filters: tuple[int, ...] = (16, 32, 64, 64)
    target: str = "bins"
    bin_size: float = 0.05  # "bins": grid step on the Cr-Cb plane
    rebalance: float = 0.5  # "bins": weight of the uniform distribution in the class weights (Zhang's lambda)
    temperature: float = 0.38  # "bins": annealed-mean temperature of the saved model (Zhang's value)
    global_features: int = 0  # "unet": width of a global branch fused into the bottleneck (0: none)
    augment: bool = False  # random horizontal flips and shifts of the training images
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 20
    patience: int | None = 3
    seed: int = 0
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.architecture, str) or self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if not isinstance(self.target, str) or self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")
        if self.target == "bins" and self.architecture != "unet":
            raise ValueError("target 'bins' needs architecture 'unet' (its head predicts at half resolution)")
        object.__setattr__(self, "filters", check_filters(self.filters, 3 if self.architecture == "unet" else 2))
        bin_size = check_real(self.bin_size, "bin_size", positive=True)
        if not MIN_BIN_SIZE <= bin_size <= 0.5:
            raise ValueError(f"bin_size must lie in [{MIN_BIN_SIZE}, 0.5], got {self.bin_size!r}")
        rebalance = check_real(self.rebalance, "rebalance", minimum=0)
        if rebalance > 1:
            raise ValueError(f"rebalance must lie in [0, 1], got {self.rebalance!r}")
        check_temperature(self.temperature)
        object.__setattr__(self, "global_features", check_global_features(self.global_features))  # plain int for JSON
        object.__setattr__(self, "augment", check_bool(self.augment, "augment"))
        if self.global_features and self.architecture != "unet":
            raise ValueError("global_features needs architecture 'unet'")
        check_training_settings(self)

    @property
    def loss_name(self) -> str:
        """The training loss, as a figure labels it: "chroma MSE", "RGB MSE", "cross-entropy" or (with class weights,
        ``rebalance`` < 1) "rebalanced cross-entropy"."""
        rebalanced = self.target == "bins" and self.rebalance < 1
        return f"rebalanced {LOSS_NAMES[self.target]}" if rebalanced else LOSS_NAMES[self.target]


def check_filters(filters: object, minimum_length: int) -> tuple[int, ...]:
    """``filters`` as a tuple of ints if it holds at least ``minimum_length`` whole numbers >= 1, else a ValueError.

    Checked with the config, so that a U-Net with two levels or a zero-channel layer fails before any data loads.
    """
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__len__") or len(filters) < minimum_length:
        raise ValueError(f"filters needs at least {minimum_length} positive channel counts, got {filters!r}")
    return tuple(check_whole(channels, "each entry of filters", minimum=1) for channels in filters)


def check_temperature(temperature: float) -> float:
    """``temperature`` as a float if it is finite and > 0, else a ValueError.

    The annealed mean divides the logits by it: 0 gives NaN or an all-black image, NaN gives NaN everywhere.
    """
    return check_real(temperature, "temperature", positive=True)


def check_global_features(width: int) -> int:
    """``width`` (the global branch's, 0 for none) as an int if it is a whole number >= 0, else a ValueError."""
    return check_whole(width, "global_features", minimum=0)
