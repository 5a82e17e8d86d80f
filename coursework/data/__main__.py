"""``python -m coursework.data``: find, or else download, CIFAR-10 and fill the cache, before any notebook runs."""

from coursework.data.loading import load_cifar10
from coursework.data.sources import DataError
from coursework.paths import DATA_DIR


def main() -> None:
    """Load CIFAR-10 once (decoding and caching it), or exit with the error that says how to provide it."""
    try:
        (x_train, _), (x_test, _) = load_cifar10()
    except DataError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"CIFAR-10 ready: {len(x_train):,} training and {len(x_test):,} test images, cached in {DATA_DIR}")


if __name__ == "__main__":
    main()
