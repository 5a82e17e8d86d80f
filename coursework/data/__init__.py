"""CIFAR-10 from whatever copy a user has, as the arrays ``keras.datasets.cifar10.load_data()`` returns.

Accepted sources (argument ``source``, else the environment variable ``CIFAR10_SOURCE``, else keras' cached
download in ``~/.keras/datasets``, else a download there of the official archive, checksum enforced, as
``keras.datasets.cifar10.load_data()`` does; ``~`` is expanded):

* the official ``cifar-10-batches-py/`` folder (``data_batch_1..5``, ``test_batch``), or the folder holding it;
* the official ``cifar-10-python.tar.gz`` archive, read without extracting it once its SHA-256 is the official one;
* an image folder or ``.zip`` laid out as ``train/<class>/*.jpg|png`` and ``test/<class>/*`` (the offline JPEG
  copy), with ``cifar10-official-order-labels.npz`` beside it, from which the official order is rebuilt (within a
  class, file ``NNNN`` is the class's NNNN-th image); without it the source is refused. Dot-files and macOS
  ``__MACOSX/`` entries are ignored.

A batch file that is a copy of another, and counts other than the expected ones (in all and per class), are refused.

Decoded arrays are cached as ``.npy`` files under the git-ignored ``data/`` folder, so a second load is quick; a
decode (seconds for the official archive, longer for the JPEG copy) is announced by a line on stderr.
The cache key is a SHA-256 over the source's path and everything a decode reads: the content of each archive, batch
file and labels file (or the labels file's absence), and the name, size and modification time of every file in an
image folder. Guarantees:

* a changed source is decoded again, never served stale (except an image-folder file rewritten with the same size
  and modification time, which only its content would reveal); a source that changes while it is decoded is not
  cached;
* writes are atomic: each file goes to a unique temporary name and is renamed, and the ``.json`` marker that
  completes an entry is renamed last, so concurrent loads never see a partial entry;
* the cache is best-effort: an unwritable folder or an unreadable entry gives a warning, never a failure.

Every experiment trains and tests on :func:`cifar_split`: all 60,000 images split 80/10/10 with ``SPLIT_SEED``.

Image files are read as ``colorize`` reads them (:func:`coursework.images.read_image`), and every file is refused
before it is read when it is far larger than what it should hold.

The subpackage: :mod:`~coursework.data.sources` (what CIFAR-10 holds, where it is found),
:mod:`~coursework.data.batches` and :mod:`~coursework.data.image_files` (decoding each kind of source),
:mod:`~coursework.data.cache`, :mod:`~coursework.data.loading` (:func:`load_cifar10`) and
:mod:`~coursework.data.splits` (:func:`cifar_split`). ``python -m coursework.data`` fills the cache.
"""

from coursework.data.cache import CACHE_FORMAT, CACHED_ARRAYS
from coursework.data.loading import load_all, load_cifar10
from coursework.data.sources import (
    ARCHIVE_NAME,
    BATCH_NAMES,
    CIFAR10_SHA256,
    CIFAR10_URL,
    CLASSES,
    IMAGE_SUFFIXES,
    LOSSLESS_TEST_FILE,
    OFFICIAL_SIZES,
    ORDER_LABELS_FILE,
    Arrays,
    DataError,
)
from coursework.data.splits import (
    SPLIT_SEED,
    CifarSplit,
    OfficialSubset,
    cifar_split,
    official_subset,
    split_indices,
)

__all__ = [
    "ARCHIVE_NAME",
    "BATCH_NAMES",
    "CACHED_ARRAYS",
    "CACHE_FORMAT",
    "CIFAR10_SHA256",
    "CIFAR10_URL",
    "CLASSES",
    "IMAGE_SUFFIXES",
    "LOSSLESS_TEST_FILE",
    "OFFICIAL_SIZES",
    "ORDER_LABELS_FILE",
    "SPLIT_SEED",
    "Arrays",
    "CifarSplit",
    "DataError",
    "OfficialSubset",
    "cifar_split",
    "load_all",
    "load_cifar10",
    "official_subset",
    "split_indices",
]
