"""The benchmark scripts run end to end (smoke mode: a few steps on synthetic data, no timing asserted)."""

import importlib.util
import json
import subprocess
import sys

from coursework.paths import REPO_ROOT


def run_benchmark(*arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_autoencoder_benchmark_smoke() -> None:
    output = run_benchmark("autoencoder.py", "--smoke")
    results = {}
    for line in output.splitlines():
        if "RESULT " in line:
            result = json.loads(line.split("RESULT ", 1)[1])
            results[result["variant"]] = result
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
    output = run_benchmark("backprop.py", "--networks", "4", "--repeats", "1", "--keras-epochs", "3")
    assert "Network.train / naive loop" in output
    assert "one by one: 4/4 networks" in output
