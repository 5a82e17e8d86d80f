"""Peak memory and wall time of executing a notebook from top to bottom (its kernel included).

Runs ``jupyter nbconvert --execute`` into a temporary copy (the committed notebook is left as it is) and reads the
peak resident memory of the largest process it started, which is the notebook's kernel. Target (issue 5): notebook 02
under 3 GB. Usage::

    python benchmarks/notebook_memory.py                                  # notebook 02
    python benchmarks/notebook_memory.py notebooks/01_backpropagation.ipynb
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", nargs="?", default=str(REPO_ROOT / "notebooks/02_convolutional_autoencoders.ipynb"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = os.environ | {"COURSEWORK_FIGURES_DIR": scratch}  # leave figures/ as `make report` made them
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
        command += ["--ExecutePreprocessor.timeout=3600", "--output-dir", scratch, args.notebook]
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
    # Linux: ru_maxrss of RUSAGE_CHILDREN is the peak of the largest descendant waited for, in kilobytes.
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    print(f"{Path(args.notebook).name}: executed in {seconds:.0f} s, peak resident memory {peak_gb:.2f} GB")


if __name__ == "__main__":
    main()
