"""Every experiment of notebook 02, declared once: its config, label, what it changes from which experiment, group.

Add an experiment by adding one :class:`Experiment` to the tuple of its group below, then train it with
``python -m coursework.experiments NAME``. Nothing here trains or loads: :mod:`coursework.experiments.runs` does.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

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


def _study(name: str, change: str, base: str = "study_base", compound: bool = False, **config) -> Experiment:
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


def _colorizer(name: str, label: str, change: str, base: str | None = None, compound: bool = False, **config):
    """A colorizer (luminance in, colour out: :mod:`coursework.colorization`) of the first comparison."""
    return Experiment(name, ColorizerConfig(**config), "colorizer", change, base, compound, label)


# The first comparison. Same early stopping as the architecture study; the U-Nets get 15 epochs at most.
COLORIZERS = (
    _colorizer(
        "colorizer_rgb",
        "gray -> RGB",
        "best study architecture, gray -> RGB, MSE",
        None,
        filters=(32, 8),
        architecture="cae",
        target="rgb",
    ),
    _colorizer(
        "colorizer_chroma_32_8",
        "Y -> CrCb, same architecture",
        "best study architecture, Y -> CrCb, MSE",
        "colorizer_rgb",
        architecture="cae",
        filters=(32, 8),
        target="chroma",
    ),
    _colorizer(
        "colorizer_base",
        "reference set-up",
        "reference set-up: base autoencoder, Y -> CrCb",
        None,
        architecture="cae",
        filters=(8, 12, 16),
        target="chroma",
    ),
    _colorizer("colorizer_unet_mse", "U-Net, MSE", "U-Net, Y -> CrCb, MSE", None, target="chroma", epochs=15),
    _colorizer(
        "colorizer",
        "U-Net, classes",
        "U-Net, colour classes, rebalanced, annealed mean",
        None,
        target="bins",
        epochs=15,
    ),
    _colorizer(
        "colorizer_mild_rebalance",
        "classes, mild",
        "U-Net, colour classes, milder rebalancing (0.8)",
        "colorizer",
        target="bins",
        rebalance=0.8,
        epochs=15,
    ),
)


ABLATION_BASE = "colorizer_unet_mse_cap30"  # the MSE U-Net with the ablation's epoch cap: its control


def _ablation(name: str, label: str, change: str, compound: bool = False, **config) -> Experiment:
    """A colorizer of the ablation: the MSE U-Net with ``config`` changed, compared with ``ABLATION_BASE``."""
    return Experiment(name, ColorizerConfig(**config), "ablation", change, ABLATION_BASE, compound, label)


# The colorization ablation: the MSE U-Net with a global branch, augmentation, or both (one change each, then the
# pair), and the pair with colour classes, whose temperature then sets closeness vs colour. Up to 30 epochs: with
# augmentation an epoch shows new pixels, and early stopping ends each run (patience 3).
ABLATION = {"global_features": 128, "augment": True, "epochs": 30}
COLORIZER_ABLATION = (
    Experiment(
        ABLATION_BASE,
        ColorizerConfig(target="chroma", epochs=30),
        "ablation",
        "U-Net, Y -> CrCb, MSE, the ablation's epoch cap",
        None,
        False,
        "U-Net, MSE (cap 30)",
    ),
    *(
        Experiment(
            f"{ABLATION_BASE}_seed{seed}",
            ColorizerConfig(target="chroma", epochs=30, seed=seed),
            "ablation",
            f"seed {seed} instead of 0",
            ABLATION_BASE,
            False,
            f"U-Net, MSE (cap 30), seed {seed}",
        )
        for seed in (1, 2)
    ),
    _ablation(
        "colorizer_unet_global", "U-Net, MSE, global", "global branch", target="chroma", global_features=128, epochs=30
    ),
    _ablation(
        "colorizer_unet_augment", "U-Net, MSE, augmented", "augmentation", target="chroma", augment=True, epochs=30
    ),
    _ablation(
        "colorizer_unet_global_augment",
        "U-Net, MSE, global + augmented",
        "global branch + augmentation",
        True,
        target="chroma",
        **ABLATION,
    ),
    _ablation(
        "colorizer_classes_global_augment",
        "classes, global + augmented",
        "colour classes + global branch + augmentation",
        True,
        target="bins",
        rebalance=1.0,
        temperature=1.0,
        **ABLATION,
    ),
    _ablation(
        "colorizer_classes_rebalanced",
        "classes (0.9), global + augmented",
        "classes rebalanced 0.9 + global branch + augmentation",
        True,
        target="bins",
        rebalance=0.9,
        temperature=1.0,
        **ABLATION,
    ),
    Experiment(  # the first comparison's control with another seed (its 15-epoch cap)
        "colorizer_unet_mse_seed1",
        ColorizerConfig(target="chroma", epochs=15, seed=1),
        "ablation",
        "seed 1 instead of 0",
        "colorizer_unet_mse",
        label="U-Net, MSE, seed 1",
    ),
    _ablation(
        "colorizer_unet_augment_seed1",
        "U-Net, MSE, augmented, seed 1",
        "augmentation (seed 1)",
        target="chroma",
        augment=True,
        epochs=30,
        seed=1,
    ),
    _ablation(
        "colorizer_unet_augment_seed2",
        "U-Net, MSE, augmented, seed 2",
        "augmentation (seed 2)",
        target="chroma",
        augment=True,
        epochs=30,
        seed=2,
    ),
)

REGISTRY: dict[str, Experiment] = {
    experiment.name: experiment
    for experiment in (*REFERENCE, *ARCHITECTURE_STUDY, *SEEDS, *LATENT_SWEEP, *COLORIZERS, *COLORIZER_ABLATION)
}


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
