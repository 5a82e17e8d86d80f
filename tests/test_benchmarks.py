"""The benchmark scripts run end to end (smoke mode: a few steps on synthetic data, no timing asserted)."""

import importlib.util
import json
import subprocess
import sys

from coursework.paths import REPO_ROOT


def run_benchmark(*arguments: str) -> list[dict]:
    """Run a benchmark script; the results it printed as ``RESULT {json}`` lines."""
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return [json.loads(line.split("RESULT ", 1)[1]) for line in completed.stdout.splitlines() if "RESULT " in line]


def test_autoencoder_benchmark_smoke() -> None:
    results = {result["variant"]: result for result in run_benchmark("autoencoder.py", "--smoke")}
    # PyTorch and JAX come from benchmarks/requirements.txt; where they are missing their variants are skipped.
    expected = {"project", "project-onednn-off", "fit-tensorflow"}
    if importlib.util.find_spec("jax") is not None:
        expected.add("fit-jax")
    if importlib.util.find_spec("torch") is not None:
        expected |= {"fit-torch", "pytorch-loop"}
    assert expected <= set(results)
    for result in results.values():
        assert result["images_per_s"] > 0 and 0 < result["val_mse"] < 1 and result["peak_mb"] > 0
    assert "oneDNN on" in results["project"]["kernels"]
    assert "oneDNN off" in results["project-onednn-off"]["kernels"]
    # The same arithmetic up to round-off, with and without oneDNN.
    assert abs(results["project"]["val_mse"] - results["project-onednn-off"]["val_mse"]) < 1e-4


def test_backprop_benchmark_smoke() -> None:
    (result,) = run_benchmark("backprop.py", "--networks", "4", "--repeats", "1", "--keras-epochs", "3")
    assert result["networks"] == result["loop_networks"] == 4
    timings = ("single_s", "naive_s", "stacked_s", "loop_s", "keras_epoch_ms", "numpy_epoch_ms")
    assert all(result[key] > 0 for key in timings)
