"""Every experiment of notebook 02, declared once: its config, label, what it changes from which experiment, group.

Add an experiment by adding one :class:`Experiment` to the tuple of its group below, then train it with
``python -m coursework.experiments NAME``. Nothing here trains or loads: :mod:`coursework.experiments.runs` does.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from coursework.autoencoders import CAEConfig
from coursework.colorization import ColorizerConfig

Config = CAEConfig | ColorizerConfig


@dataclass(frozen=True)
class Experiment:
    """One trained model of the report: ``config`` trains it; ``change`` says in words how it differs from ``base``
    (None: it is a base); ``compound``: it differs in more than one thing; ``group`` is the study it belongs to."""

    name: str
    config: Config
    group: str
    change: str
    base: str | None = None
    compound: bool = False
    label: str = ""

    @property
    def kind(self) -> str:
        """How the experiment relates to its base: "base", "one" (one change) or "compound"."""
        return "base" if self.base is None else "compound" if self.compound else "one"

    @property
    def short_label(self) -> str:
        """The label for legends and rows: ``label``, else the name without its group prefix."""
        return self.label or self.name.removeprefix("study_")


STUDY = {"epochs": 20, "patience": 3}  # architecture study: early stopping on validation loss, same budget for all


def _study(name: str, change: str, *, base: str = "study_base", compound: bool = False, **config) -> Experiment:
    """An architecture-study model: the reference architecture with ``config`` changed, trained with ``STUDY``."""
    return Experiment(name, CAEConfig(**STUDY, **config), "study", change, base, compound)


REFERENCE = (  # the reference set-up, as prescribed: fixed 10 epochs
    Experiment("cae_base", CAEConfig(), "reference", "reference architecture and training: Adam, MSE, batch 64"),
    Experiment("cae_stride2", CAEConfig(strides=2), "reference", "stride 2 in every encoder convolution", "cae_base"),
)
ARCHITECTURE_STUDY = (  # one change at a time from the reference, trained alike with early stopping
    Experiment("study_base", CAEConfig(**STUDY), "study", "reference architecture"),
    _study("study_stride2_all", "stride 2 in every encoder convolution", strides=2),
    _study("study_stride2_first", "stride 2 in the first convolution only", strides=(2, 1, 1)),
    _study("study_stride2_latent", "stride 2 in the latent convolution only", strides=(1, 1, 2)),
    _study("study_kernel5", "5x5 kernels", kernel_size=5),
    _study("study_channels_16_24_32", "twice the channels", filters=(16, 24, 32)),
    _study(
        "study_ref_5x5_16_24_32",
        "5x5 kernels and twice the channels (vs study_channels_16_24_32: 5x5 only)",
        compound=True,
        filters=(16, 24, 32),
        kernel_size=5,
    ),
    _study(
        "study_valid_padding",
        "valid padding, and its mirrored decoder has one (transposed) convolution more",
        compound=True,
        padding="valid",
    ),
    _study("study_one_pool", "one pooling stage: the middle stage removed", filters=(8, 16)),
    _study(
        "study_one_pool_ref",
        "one pooling stage fewer, 4x4 kernels (vs study_one_pool: 4x4 kernels only)",
        compound=True,
        filters=(8, 16),
        kernel_size=4,
    ),
    _study(
        "study_one_pool_32_8",
        "one pooling stage fewer, channels 8/12/16 -> 32/8 (vs study_one_pool: channels)",
        compound=True,
        filters=(32, 8),
    ),
    _study("study_sigmoid_output", "sigmoid output", output_activation="sigmoid"),
    _study("study_sgd", "SGD (lr 0.01) instead of Adam", optimizer="sgd", learning_rate=0.01),
)

# Seed-to-seed noise: the key comparisons repeated with two more seeds (initialisation and batch order).
SEEDED = ("study_base", "study_stride2_all", "study_one_pool_32_8")
EXTRA_SEEDS = (1, 2)
_STUDY_CONFIGS = {experiment.name: experiment.config for experiment in ARCHITECTURE_STUDY}
SEEDS = tuple(
    Experiment(f"{name}_seed{seed}", replace(_STUDY_CONFIGS[name], seed=seed), "seeds", f"seed {seed}", name)
    for name in SEEDED
    for seed in EXTRA_SEEDS
)

# Latent size, controlled: a study model's architecture and budget with only its latent channels C changed, three
# seeds each; at 8x8 (study_base, two poolings) and at 16x16 (study_one_pool, one pooling), so that the two layouts
# can be compared at equal latent sizes. The C of the base model itself is that model (and its seeds). Changing C
# also changes the parameter count: the sweep varies the bottleneck and the capacity around it together.
SWEEP_BASES = {8: "study_base", 16: "study_one_pool"}  # latent side -> the study model whose latent channels vary
SWEEP_CHANNELS = {8: (1, 2, 4, 8, 16, 32), 16: (1, 2, 4, 8, 16)}  # latent side -> the channel counts swept
LATENT_SEEDS = (0, 1, 2)


def latent_sweep_name(channels: int, seed: int, side: int = 8) -> str:
    """The experiment of the ``side`` x ``side`` latent-size sweep with ``channels`` latent channels and ``seed``."""
    base = SWEEP_BASES[side]
    if channels == _STUDY_CONFIGS[base].filters[-1]:
        return base if seed == 0 else f"{base}_seed{seed}"
    return f"latent_{side}x{side}x{channels}_seed{seed}"


LATENT_SWEEP = tuple(
    Experiment(
        latent_sweep_name(channels, seed, side),
        replace(_STUDY_CONFIGS[base], filters=(*_STUDY_CONFIGS[base].filters[:-1], channels), seed=seed),
        f"latent {side}x{side}",
        f"latent {side}x{side}x{channels}",
        base,
    )
    for side, base in SWEEP_BASES.items()
    for channels in SWEEP_CHANNELS[side]
    for seed in LATENT_SEEDS
    if latent_sweep_name(channels, seed, side) not in {entry.name for entry in (*ARCHITECTURE_STUDY, *SEEDS)}
)


def _colorizer(name: str, change: str, *, label: str, base: str | None = None, **config) -> Experiment:
    """A colorizer (luminance in, colour out: :mod:`coursework.colorization`) of the first comparison."""
    return Experiment(name, ColorizerConfig(**config), "colorizer", change, base, label=label)


# The first comparison. Same early stopping as the architecture study; the U-Nets get 15 epochs at most.
COLORIZERS = (
    _colorizer("colorizer_rgb", "best study architecture, gray -> RGB, MSE", label="gray -> RGB",
               architecture="cae", filters=(32, 8), target="rgb"),
    _colorizer("colorizer_chroma_32_8", "best study architecture, Y -> CrCb, MSE", label="Y -> CrCb, same architecture",
               base="colorizer_rgb", architecture="cae", filters=(32, 8), target="chroma"),
    _colorizer("colorizer_base", "reference set-up: base autoencoder, Y -> CrCb", label="reference set-up",
               architecture="cae", filters=(8, 12, 16), target="chroma"),
    _colorizer("colorizer_unet_mse", "U-Net, Y -> CrCb, MSE", label="U-Net, MSE", target="chroma", epochs=15),
    _colorizer("colorizer", "U-Net, colour classes, rebalanced, annealed mean", label="U-Net, classes",
               target="bins", epochs=15),
    _colorizer("colorizer_mild_rebalance", "U-Net, colour classes, milder rebalancing (0.8)", label="classes, mild",
               base="colorizer", target="bins", rebalance=0.8, epochs=15),
)  # fmt: skip

ABLATION_BASE = "colorizer_unet_mse_cap30"  # the MSE U-Net with the ablation's epoch cap: its control


def _ablation(
    name: str, change: str, *, label: str, base: str | None = ABLATION_BASE, compound: bool = False, **config
) -> Experiment:
    """A colorizer of the ablation: the MSE U-Net with ``config`` changed, compared with ``base``."""
    return Experiment(name, ColorizerConfig(**config), "ablation", change, base, compound, label)


# The colorization ablation: the MSE U-Net with a global branch, augmentation, or both (one change each, then the
# pair), and the pair with colour classes, whose temperature then sets closeness vs colour. Up to 30 epochs: with
# augmentation an epoch shows new pixels, and early stopping ends each run (patience 3).
ABLATION = {"global_features": 128, "augment": True, "epochs": 30}
COLORIZER_ABLATION = (
    _ablation(ABLATION_BASE, "U-Net, Y -> CrCb, MSE, the ablation's epoch cap", label="U-Net, MSE (cap 30)", base=None,
              target="chroma", epochs=30),
    *(_ablation(f"{ABLATION_BASE}_seed{seed}", f"seed {seed} instead of 0", label=f"U-Net, MSE (cap 30), seed {seed}",
                target="chroma", epochs=30, seed=seed) for seed in (1, 2)),
    _ablation("colorizer_unet_global", "global branch", label="U-Net, MSE, global", target="chroma",
              global_features=128, epochs=30),
    _ablation("colorizer_unet_augment", "augmentation", label="U-Net, MSE, augmented", target="chroma", augment=True,
              epochs=30),
    _ablation("colorizer_unet_global_augment", "global branch + augmentation", label="U-Net, MSE, global + augmented",
              compound=True, target="chroma", **ABLATION),
    _ablation("colorizer_classes_global_augment", "colour classes + global branch + augmentation",
              label="classes, global + augmented", compound=True, target="bins", rebalance=1.0, temperature=1.0,
              **ABLATION),
    _ablation("colorizer_classes_rebalanced", "classes rebalanced 0.9 + global branch + augmentation",
              label="classes (0.9), global + augmented", compound=True, target="bins", rebalance=0.9,
              temperature=1.0, **ABLATION),
    _ablation("colorizer_unet_mse_seed1", "seed 1 instead of 0", label="U-Net, MSE, seed 1",
              base="colorizer_unet_mse", target="chroma", epochs=15, seed=1),  # the first comparison's control
    *(_ablation(f"colorizer_unet_augment_seed{seed}", f"augmentation (seed {seed})",
                label=f"U-Net, MSE, augmented, seed {seed}", target="chroma", augment=True, epochs=30, seed=seed)
      for seed in (1, 2)),
)  # fmt: skip

_ALL = (*REFERENCE, *ARCHITECTURE_STUDY, *SEEDS, *LATENT_SWEEP, *COLORIZERS, *COLORIZER_ABLATION)
REGISTRY: Mapping[str, Experiment] = MappingProxyType({entry.name: entry for entry in _ALL})  # read-only
if len(REGISTRY) != len(_ALL):
    raise RuntimeError(f"experiment names declared twice: {sorted({e.name for e in _ALL if _ALL.count(e) > 1})}")


def experiment(name: str) -> Experiment:
    """The registered experiment ``name``; a ValueError naming the closest registered names otherwise."""
    if not isinstance(name, str) or name not in REGISTRY:
        close = difflib.get_close_matches(str(name), REGISTRY, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`python -m coursework.experiments --list` lists all"
        raise ValueError(f"unknown experiment {name!r}; {hint}")
    return REGISTRY[name]


def names(group: str) -> list[str]:
    """The experiments of ``group``, in the order they are declared."""
    found = [name for name, entry in REGISTRY.items() if entry.group == group]
    if not found:
        groups = sorted({entry.group for entry in REGISTRY.values()})
        raise ValueError(f"no experiment group {group!r}; the groups are {groups}")
    return found
