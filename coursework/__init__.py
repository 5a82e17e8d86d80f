"""Code behind the coursework report: backpropagation from scratch and convolutional autoencoders.

Importing the package sets two TensorFlow switches, before any of its modules imports TensorFlow (which reads them
once, when it is imported); values already set in the environment win:

* ``TF_ENABLE_ONEDNN_OPTS=1``: TensorFlow's oneDNN kernels on every x86-64 CPU. TensorFlow turns them on by itself
  only on CPUs with AVX-512 VNNI/BF16, AVX-VNNI or AMX; on others (e.g. AVX2-only AMD EPYC) it falls back to Eigen
  convolutions, which train the autoencoders 2-3x slower (benchmarks/README.md). Results differ by round-off only.
  ``TF_ENABLE_ONEDNN_OPTS=0`` turns them off.
* ``TF_CPP_MIN_LOG_LEVEL=3``: no C++ notices or errors in notebook outputs, e.g. "oneDNN supports DT_INT32 only on
  platforms with AVX-512", which only says that int32 ops (step counters, indices) keep their Eigen kernels on
  AVX2 CPUs while the float32 convolutions use oneDNN.

Some start-up lines come before TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL``: C++ and absl write "Could not find cuda
drivers on your machine", "oneDNN custom operations are on" and "All log messages before absl::InitializeLog()" to
file descriptor 2 while TensorFlow loads. The package's modules therefore import TensorFlow and Keras through
:mod:`coursework._tensorflow`, which does it inside :func:`silenced_stderr`.

A program that imports TensorFlow (or Keras on TensorFlow) before this package gets TensorFlow's own default: a
warning says so where that leaves the oneDNN kernels off.
"""

import contextlib
import os
import platform
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

__all__ = ["cpu_name", "silenced_stderr"]

_TENSORFLOW_FIRST = "tensorflow" in sys.modules and "TF_ENABLE_ONEDNN_OPTS" not in os.environ
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cpu_name() -> str:
    """This machine's CPU model, from /proc/cpuinfo (Linux), else what :func:`platform.processor` says."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or "unknown"


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while the block runs, and restore it afterwards, also on errors.

    Hides what C and C++ code writes there (TensorFlow's start-up lines), which ``sys.stderr`` cannot catch. Python's
    own messages stay visible: where ``sys.stderr`` writes to descriptor 2 it writes to a copy of the real one
    meanwhile, so warnings still print, and an exception (a failed import) propagates once stderr is restored.
    """
    python_stderr = sys.stderr
    python_stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        if _writes_to_descriptor_2(python_stderr):
            sys.stderr = open(  # closed below; closefd=False leaves `saved` to os.close
                saved, "w", buffering=1, encoding=python_stderr.encoding, errors="backslashreplace", closefd=False
            )
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.close()
            sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)


def _writes_to_descriptor_2(stream: object) -> bool:
    """Whether ``stream`` is a file on descriptor 2 (a terminal or a pipe; not a notebook kernel's stream)."""
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        return False


if _TENSORFLOW_FIRST and platform.machine().lower() in ("x86_64", "amd64"):
    warnings.warn(
        "tensorflow was imported before coursework, so TF_ENABLE_ONEDNN_OPTS=1 came too late: on CPUs where "
        "TensorFlow leaves its oneDNN kernels off by default the autoencoders train 2-3x slower; import coursework "
        "first, or set TF_ENABLE_ONEDNN_OPTS=1 in the environment",
        RuntimeWarning,
        stacklevel=2,
    )
