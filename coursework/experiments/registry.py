"""Notebook 02's experiment plan, declared before training: every model it compares, one record each, in groups.

Each group answers one question of the assignment. Every configuration that enters a comparison is trained with
``SEEDS`` (seed 0 keeps the bare name, seed s > 0 is ``NAME_seed{s}``), all of a group at the same budget.

* ``reference``: Ex. 1, the prescribed network and its stride-2 twin, the prescribed 10 epochs.
* ``study``: Ex. 2, one change at a time from ``study_base`` (the assignment's list), and one combination
  tried after them (one pooling stage, channels 32 then 8), at most 20 epochs with early stopping.
* ``long``: the study's headline models (base, combination, stride 2) and the padding pair (transposed-convolution
  decoder with same or valid padding) at three times its budget, three seeds: does the ranking hold when nobody is
  cut short?
* ``latent 8x8`` and ``latent 16x16``: Ex. 2's latent-size sweep, only the latent channels changed.
* ``colorization``: Ex. 3's path, each step one change from the step before: gray -> RGB with the best study
  architecture, then chroma only, then a U-Net, then augmentation. The last step (an average of its seeds and
  of horizontal flips, with a colour gain chosen on validation) needs no training: :mod:`coursework.colorization`.
* ``repeat``: the path's first two steps trained again from scratch, three seeds: do today's runs repeat exactly?

Add an experiment with one :func:`seeded` call (three seeds) in its group, or one entry of ``STUDY_CHANGES``,
then ``python -m coursework.experiments NAME NAME_seed1 NAME_seed2`` (its three seeds).
Nothing here trains or loads: :mod:`coursework.experiments.runs` does.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from coursework.configs import CAEConfig, ColorizerConfig, Config

SEEDS = (0, 1, 2)  # every compared configuration, three times: initialisation and batch order differ


@dataclass(frozen=True)
class Experiment:
    """One trained model of the report: ``config`` trains it; ``group`` is the question it answers; ``label`` is its
    short name in figures and tables; ``change`` says in words how it differs from ``base`` (None: it is a base)."""

    name: str
    config: Config
    group: str
    label: str
    change: str
    base: str | None = None


def seed_name(name: str, seed: int) -> str:
    """The experiment of configuration ``name`` trained with ``seed``: ``name`` itself for seed 0."""
    return name if seed == 0 else f"{name}_seed{seed}"


def seeded(
    name: str, config: Config, group: str, label: str, change: str, base: str | None = None
) -> tuple[Experiment, ...]:
    """One experiment per seed in :data:`SEEDS`, the same ``config`` apart from its seed."""
    return tuple(
        Experiment(seed_name(name, seed), replace(config, seed=seed), group, label, change, base) for seed in SEEDS
    )


_PRESCRIBED = CAEConfig()
REFERENCE = (
    *seeded(
        "cae_base",
        _PRESCRIBED,
        "reference",
        "prescribed",
        f"the prescribed network: Adam, MSE, batch {_PRESCRIBED.batch_size}, {_PRESCRIBED.epochs} epochs",
    ),
    *seeded(
        "cae_stride2",
        CAEConfig(strides=2),
        "reference",
        "stride 2",
        "stride 2 in every encoder convolution",
        "cae_base",
    ),
)

STUDY_BUDGET = {"epochs": 20, "patience": 3}  # at most 20 epochs; early stopping on validation MSE, best weights kept
STUDY_BASE = CAEConfig(**STUDY_BUDGET)
# name -> (its label; the change in words, where {field} stands for the value it gives that field; the config fields
# it changes). A variant may change any field but the budget, the seed and the dataset (epochs, patience, seed,
# dataset): those stay the study's.
STUDY_CHANGES = {
    "study_stride2_all": (
        "stride 2 in every encoder convolution, latent 1x1x16",
        "stride {strides} in every encoder convolution",
        {"strides": 2},
    ),
    "study_stride2_no_pool": (
        "stride 2 in place of each pooling layer",
        "stride 2 in place of each pooling layer: the same 8x8 latent and decoder",
        {"strides": (1, 2, 2), "pool_size": 1},
    ),
    "study_one_pool": ("one pooling stage", "one pooling stage: the middle stage removed", {"filters": (8, 16)}),
    "study_channels_16_24_32": ("channels 16, 24, 32", "channels {filters}", {"filters": (16, 24, 32)}),
    "study_kernel5": ("5x5 kernels", "{kernel_size}x{kernel_size} kernels", {"kernel_size": 5}),
    "study_transposed_decoder": (
        "transposed-convolution decoder",
        "a decoder of transposed convolutions, one per encoder convolution",
        {"decoder": "transposed"},
    ),
    "study_valid_padding": (
        "valid padding, transposed-convolution decoder",
        "valid padding, with the transposed-convolution decoder that gives the trimmed pixels back",
        {"padding": "valid", "decoder": "transposed"},
    ),
    "study_sigmoid_output": ("sigmoid output", "sigmoid output", {"output_activation": "sigmoid"}),
    "study_sgd": (
        "SGD",
        "SGD (learning rate {learning_rate}) instead of Adam",
        {"optimizer": "sgd", "learning_rate": 0.01},
    ),
}
STUDY_COMBINED = "study_one_pool_32_8"  # the best architecture: one pooling stage, 32 then 8 channels
STUDY = (
    *seeded("study_base", STUDY_BASE, "study", "base", f"the prescribed network, at most {STUDY_BASE.epochs} epochs"),
    *(
        experiment
        for name, (label, change, fields) in STUDY_CHANGES.items()
        for experiment in seeded(
            name, replace(STUDY_BASE, **fields), "study", label, change.format(**fields), "study_base"
        )
    ),
    *seeded(
        STUDY_COMBINED,
        replace(STUDY_BASE, filters=(32, 8)),
        "study",
        "one pooling stage and channels 32, 8",
        "one pooling stage and channels 32, 8: a wider first layer, a narrower latent",
        "study_base",
    ),
)

LONG_BUDGET = {"epochs": 60, "patience": 3}  # three times the study's cap
LONG = tuple(
    Experiment(
        f"{entry.name}_long",
        replace(entry.config, **LONG_BUDGET),
        "long",
        f"{entry.label}, long",
        f"at most {LONG_BUDGET['epochs']} epochs",
        entry.name,
    )
    for entry in STUDY
    for name in (
        "study_base",
        STUDY_COMBINED,
        "study_stride2_all",
        "study_transposed_decoder",
        "study_valid_padding",
    )
    if entry.name in (seed_name(name, seed) for seed in SEEDS)
)

# Latent size, controlled: a study architecture with only its latent channels C changed, three seeds each, at 8x8
# (study_base, two poolings) and 16x16 (study_one_pool, one pooling). The C of the base itself is that model
# (latent_sweep_name), so changing a base's latent channels renames sweep experiments: retrain those it names.
# Changing C also changes the parameter count: the sweep varies the bottleneck and the capacity around it together.
SWEEP_BASES = {8: "study_base", 16: "study_one_pool"}  # latent side -> the study model whose latent channels vary
SWEEP_CHANNELS = {8: (1, 2, 4, 8, 16, 32), 16: (1, 2, 4, 8, 16)}  # latent side -> the channel counts swept
_STUDY_CONFIGS = {entry.name: entry.config for entry in STUDY}


def latent_sweep_name(channels: int, seed: int, side: int = 8) -> str:
    """The experiment of the ``side`` x ``side`` latent-size sweep with ``channels`` latent channels and ``seed``."""
    base = SWEEP_BASES[side]
    if channels == _STUDY_CONFIGS[base].filters[-1]:
        return seed_name(base, seed)
    return f"latent_{side}x{side}x{channels}_seed{seed}"


LATENT_SWEEP = tuple(
    Experiment(
        latent_sweep_name(channels, seed, side),
        replace(_STUDY_CONFIGS[base], filters=(*_STUDY_CONFIGS[base].filters[:-1], channels), seed=seed),
        f"latent {side}x{side}",
        f"latent {side}x{side}x{channels}",
        f"latent {side}x{side}x{channels}",
        base,
    )
    for side, base in SWEEP_BASES.items()
    for channels in SWEEP_CHANNELS[side]
    for seed in SEEDS
    if latent_sweep_name(channels, seed, side) not in _STUDY_CONFIGS
)

COLOR_BUDGET = {"epochs": 30, "patience": 3}  # every step of the path: at most 30 epochs, early stopping
COLORIZATION = (
    *seeded(
        "colorizer_rgb",
        ColorizerConfig(architecture="cae", filters=(32, 8), target="rgb", **COLOR_BUDGET),
        "colorization",
        "gray -> RGB",
        "gray in, RGB out, the best study architecture",
    ),
    *seeded(
        "colorizer_chroma",
        ColorizerConfig(architecture="cae", filters=(32, 8), target="chroma", **COLOR_BUDGET),
        "colorization",
        "chroma",
        "luminance in, chroma (Cr, Cb) out, merged with the luminance",
        "colorizer_rgb",
    ),
    *seeded(
        "colorizer_unet",
        ColorizerConfig(architecture="unet", target="chroma", **COLOR_BUDGET),
        "colorization",
        "U-Net",
        "a U-Net: skip connections carry each encoder level's features to the decoder",
        "colorizer_chroma",
    ),
    *seeded(
        "colorizer_unet_augment",
        ColorizerConfig(architecture="unet", target="chroma", augment=True, **COLOR_BUDGET),
        "colorization",
        "U-Net, augmented",
        "augmentation: random horizontal flips and shifts of the training images",
        "colorizer_unet",
    ),
)

# Ex. 3's first two steps trained again from scratch (same configuration and seed), to test that a run of today's
# pipeline repeats exactly, as the rule in coursework.report.facts assumes for them.
REPEAT = tuple(
    Experiment(f"{entry.name}_repeat", entry.config, "repeat", f"{entry.label}, again", "trained again", entry.name)
    for entry in COLORIZATION
    if entry.config.architecture == "cae"  # gray -> RGB and chroma, not the U-Nets
)

_ALL = (*REFERENCE, *STUDY, *LONG, *LATENT_SWEEP, *COLORIZATION, *REPEAT)
_TWICE = sorted(name for name, count in Counter(entry.name for entry in _ALL).items() if count > 1)
if _TWICE:
    raise RuntimeError(f"experiment names declared twice: {_TWICE}")
REGISTRY: Mapping[str, Experiment] = MappingProxyType({entry.name: entry for entry in _ALL})  # read-only


def experiment(name: str) -> Experiment:
    """The registered experiment ``name``; a ValueError naming the closest registered names otherwise."""
    if not isinstance(name, str) or name not in REGISTRY:
        close = difflib.get_close_matches(str(name), REGISTRY, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`python -m coursework.experiments --list` lists all"
        raise ValueError(f"unknown experiment {name!r}; {hint}")
    return REGISTRY[name]


def names(group: str, seeds: bool = True) -> list[str]:
    """The experiments of ``group``, in the order they are declared; ``seeds=False``: seed 0 of each only."""
    found = [name for name, entry in REGISTRY.items() if entry.group == group and (seeds or not entry.config.seed)]
    if not found:
        groups = sorted({entry.group for entry in REGISTRY.values()})
        raise ValueError(f"no experiment group {group!r}; the groups are {groups}")
    return found


def seeds_of(name: str) -> list[str]:
    """The experiments of ``name``'s group whose config is ``name``'s apart from the seed, in the order declared."""
    first = experiment(name)
    config = replace(first.config, seed=0)
    return [
        n for n, entry in REGISTRY.items() if entry.group == first.group and replace(entry.config, seed=0) == config
    ]


def configurations(names: list[str]) -> dict[str, list[str]]:
    """``names`` grouped by configuration (equal configs apart from the seed), each group named after its lowest
    registered seed among ``names`` (seed 0 where given): that name -> the group's names, in the order given."""
    groups: dict[str, list[str]] = {}
    for name in names:
        first = next(seed for seed in seeds_of(name) if seed in names)
        groups.setdefault(first, []).append(name)
    return groups
