"""The datasets the experiments train on (:data:`DATASETS`), CIFAR-10's loader, and the split every experiment uses.

Sources, refusals, the cache, and how to add a dataset: docs/data.md. ``python -m coursework.data`` fills the cache.
"""

from coursework.data.datasets import DATASETS, Dataset, dataset
from coursework.data.loading import load_cifar10
from coursework.data.sources import CLASSES, LOSSLESS_TEST_FILE, ORDER_LABELS_FILE, DataError
from coursework.data.splits import SPLIT_SEED, OfficialSubset, Split, cifar_split, official_subset, split, split_indices

__all__ = [
    "CLASSES",
    "DATASETS",
    "LOSSLESS_TEST_FILE",
    "ORDER_LABELS_FILE",
    "SPLIT_SEED",
    "DataError",
    "Dataset",
    "OfficialSubset",
    "Split",
    "cifar_split",
    "dataset",
    "load_cifar10",
    "official_subset",
    "split",
    "split_indices",
]
