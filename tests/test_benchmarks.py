"""The benchmark scripts run end to end (smoke mode: a few steps on synthetic data, no timing asserted)."""

import subprocess
import sys

from coursework.paths import REPO_ROOT


def test_autoencoder_benchmark_smoke() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "autoencoder.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    rows = {line.split()[0]: line for line in completed.stdout.splitlines()[3:]}
    assert set(rows) == {"project", "fit-tensorflow", "fit-jax", "fit-torch", "pytorch-loop"}
    for variant in ("project", "fit-tensorflow"):
        fields = rows[variant].split()
        images_per_s, val_mse = fields[1], fields[-2]
        assert float(images_per_s) > 0 and 0 < float(val_mse) < 1
