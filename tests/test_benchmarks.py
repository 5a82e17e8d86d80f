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
    timings = (
        "single_s",
        "naive_s",
        "stacked_s",
        "loop_s",
        "keras_epoch_ms",
        "numpy_epoch_ms",
        "sigmoid_exp_ns",
        "sigmoid_tanh_ns",
    )
    assert all(result[key] > 0 for key in timings)


def test_the_physical_limit_follows_the_cpu_kind() -> None:
    """Twice the float32 lanes with full-width AVX-512; AMD Zen 4 runs AVX-512 on 256-bit units, like AVX2, and so
    does AVX-512 capped to AVX2 (emulated AVX2)."""
    spec = importlib.util.spec_from_file_location("cpu_benchmark", REPO_ROOT / "benchmarks" / "cpu.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    cpu = "vendor_id\t: {vendor}\ncpu family\t: {family}\ncpu MHz\t\t: 2500.000\nflags\t\t: fma avx2 {extra}\n\nother"
    intel = benchmark.physical_limit(cpu.format(vendor="GenuineIntel", family=6, extra="avx512f amx_tile"), 2, "")
    zen4 = benchmark.physical_limit(cpu.format(vendor="AuthenticAMD", family=25, extra="avx512f"), 2, "")
    avx2 = benchmark.physical_limit(cpu.format(vendor="AuthenticAMD", family=23, extra=""), cores=2)
    capped = benchmark.physical_limit(cpu.format(vendor="GenuineIntel", family=6, extra="avx512f"), 2, "AVX2")
    assert intel[0] == 2 * zen4[0] == 2 * avx2[0] == 2 * capped[0] == 40_000
    assert "16 float32 lanes (AVX-512)" in intel[1] and "(AVX2 + FMA)" in avx2[1] and "Zen 4" in zen4[1]
