"""Autoencoder training speed and memory, measured side by side in one run.

Trains the same autoencoder (the reference model, or any experiment of coursework.experiments) for the same
number of Adam steps (batch 64, MSE) in each of these ways, each in its own process, so that peak memory is its own
and each Keras backend and TensorFlow setting is chosen before Keras is imported:

  project             coursework.autoencoders: tf.data keeps uint8 images, converts each batch to float, and runs 128
                      steps per call of the compiled training function (TensorFlow with oneDNN, which importing
                      coursework turns on)
  project-onednn-off  the same with TF_ENABLE_ONEDNN_OPTS=0: TensorFlow's Eigen kernels, its own default on CPUs
                      without AVX-512 VNNI/BF16 or AMX (e.g. AVX2-only AMD EPYC), so the gain is measured in one run
  fit-tensorflow      model.fit on float32 NumPy arrays, Keras on TensorFlow (oneDNN as for project)
  fit-jax             the same, Keras on JAX            (skipped if jax is not installed)
  fit-torch           the same, Keras on PyTorch        (skipped if torch is not installed)
  pytorch-loop        a plain PyTorch training loop of the same layers, Adam and loss (skipped without torch)

Warm-up steps (tracing, compilation, first allocations) are excluded. Each variant runs --repeats times, in rounds;
one line per run as it finishes (ending in its RESULT as JSON), then per variant the median images/s (and range),
its ratio to the plain PyTorch loop and to the physical limit of this CPU (physical_limit), the validation MSE after the
same steps, the peak resident memory of each process, and the kernels it ran on: oneDNN on or off, the vector ISA,
the thread counts. The first line gives the CPU's ISA flags and any kernel settings from the environment.

    python benchmarks/autoencoder.py                         # reference model, 750 timed steps (one epoch)
    python benchmarks/autoencoder.py --model study_one_pool_32_8
    python benchmarks/autoencoder.py --smoke                 # a few steps on synthetic images (CI)
    python benchmarks/autoencoder.py --quality --epochs 10   # same quality? project path vs plain fit, full training
    python benchmarks/autoencoder.py --knobs                 # headroom: the project path with one setting changed
    python benchmarks/autoencoder.py --profile               # also: where a step's time goes, by oneDNN primitive

--knobs runs the project path with one of its settings changed at a time (KNOB_VARIANTS), next to the project as it
is and the plain PyTorch loop, to look for speed left on the table; the project keeps whatever measures fastest.

The other kind of CPU, emulated by hand on an AVX-512 machine (never in tests, CI or make): AVX2 kernels for
oneDNN (TensorFlow and PyTorch) and for PyTorch's own kernels; project-onednn-off is then what TensorFlow runs on an
AVX2 machine by default, and TF_ENABLE_ONEDNN_OPTS=0 in front makes every TensorFlow row so:

    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 python benchmarks/autoencoder.py

Benchmark-only dependencies: pip install -r benchmarks/requirements.txt
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
from cpu import physical_limit

import coursework  # first: it sets TensorFlow's switches (oneDNN, logging) before anything imports TensorFlow

VARIANTS = ("project", "project-onednn-off", "fit-tensorflow", "fit-jax", "fit-torch", "pytorch-loop")
NEEDS = {"fit-jax": "jax", "fit-torch": "torch", "pytorch-loop": "torch"}
# The project path with one setting changed; apply_knob() makes the change in the worker before TensorFlow runs.
KNOB_VARIANTS = {
    "project-spe1": "1 step per call of the compiled training function (Keras' default) instead of 128",
    "project-spe8": "8 steps per call",
    "project-spe32": "32 steps per call",
    "project-spe512": "512 steps per call",
    "project-inter1": "1 inter-op thread instead of TensorFlow's default (one per core)",
    "project-intra1": "1 intra-op thread per op instead of one per core",
    "project-no-prefetch": "no prefetch: the input pipeline does not overlap with the training steps",
}
BATCH = 64
ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile")
KNOBS = ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "XLA_FLAGS")


def load_images(smoke: bool, train: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) uint8 images: CIFAR-10 (the notebook's split), or smooth synthetic images for --smoke."""
    if smoke:
        rng = np.random.default_rng(seed)
        coarse = rng.integers(0, 256, (train + 256, 8, 8, 3), dtype=np.uint8)
        images = np.repeat(np.repeat(coarse, 4, axis=1), 4, axis=2)
        return images[:train], images[train:]
    from coursework.data import cifar_split

    data = cifar_split()
    return data.x_train[:train], data.x_val[:2000]


def peak_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_compile(model, config) -> None:
    """What a user writes: Adam and MSE with Keras' defaults (one step per call of the training function)."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate), loss="mse")


def run_keras(variant: str, config, x_train: np.ndarray, x_val: np.ndarray, warmup: int) -> tuple[float, float]:
    """(seconds for the timed steps, validation MSE) with Keras, through the project's pipeline or plain fit."""
    import keras

    from coursework.autoencoders import build_cae, compile_cae
    from coursework.training import image_dataset

    keras.utils.set_random_seed(config.seed)
    model = build_cae(**config.build_kwargs())
    project = variant.startswith("project")
    if project:
        compile_cae(model, config)
    else:
        plain_compile(model, config)
    warm, timed = x_train[: warmup * BATCH], x_train[warmup * BATCH :]
    if project:
        model.fit(image_dataset(warm, BATCH, shuffle_seed=0), epochs=1, verbose=0)
        start = time.perf_counter()
        model.fit(image_dataset(timed, BATCH, shuffle_seed=0), epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        return seconds, float(model.evaluate(image_dataset(x_val, 256, shuffle_seed=None), verbose=0))
    warm_float, timed_float = warm.astype(np.float32) / 255, timed.astype(np.float32) / 255  # what a user writes
    model.fit(warm_float, warm_float, batch_size=BATCH, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(timed_float, timed_float, batch_size=BATCH, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    val_float = x_val.astype(np.float32) / 255
    return seconds, float(model.evaluate(val_float, val_float, batch_size=256, verbose=0))


def run_pytorch(config, x_train: np.ndarray, x_val: np.ndarray, warmup: int) -> tuple[float, float]:
    """(seconds for the timed steps, validation MSE) with a plain PyTorch loop of the same architecture."""
    import torch
    from torch import nn

    torch.manual_seed(config.seed)
    if config.strides != 1 or config.padding != "same" or config.pool_size != 2 or config.optimizer != "adam":
        raise ValueError("the PyTorch loop mirrors stride-1, 'same'-padded, 2x2-pooled models trained with Adam only")
    filters, kernel, pad = config.filters, config.kernel_size, "same"
    layers: list[nn.Module] = []
    channels = 3
    for index, out in enumerate(filters):
        layers += [nn.Conv2d(channels, out, kernel, padding=pad), nn.ReLU()]
        if index < len(filters) - 1:
            layers.append(nn.MaxPool2d(2))
        channels = out
    for stage in reversed(range(len(filters) - 1)):
        out = 3 if stage == 0 else filters[stage]
        layers += [nn.Upsample(scale_factor=2), nn.Conv2d(channels, out, kernel, padding=pad)]
        layers.append(
            {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid()}[config.output_activation] if stage == 0 else nn.ReLU()
        )
        channels = out
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    images = torch.from_numpy(x_train).permute(0, 3, 1, 2).contiguous()  # uint8, channels first
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))

    def step(batch: torch.Tensor) -> None:
        batch = batch.float() / 255
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(batch), batch)
        loss.backward()
        optimizer.step()

    batches = [order[start : start + BATCH] for start in range(0, len(order), BATCH)]
    for indices in batches[:warmup]:
        step(images[indices])
    start = time.perf_counter()
    for indices in batches[warmup:]:
        step(images[indices])
    seconds = time.perf_counter() - start
    with torch.no_grad():
        val = torch.from_numpy(x_val).permute(0, 3, 1, 2).float() / 255
        val_mse = float(nn.functional.mse_loss(model(val), val))
    return seconds, val_mse


def quality(args: argparse.Namespace) -> None:
    """Full training, same epochs and seed: the project's path (train_cae) against plain fit on float arrays."""
    from dataclasses import replace

    import keras

    from coursework.autoencoders import build_cae, train_cae
    from coursework.data import cifar_split
    from coursework.experiments import experiment

    config = replace(experiment(args.model).config, epochs=args.epochs, patience=None)
    data = cifar_split()
    start = time.perf_counter()
    _, history = train_cae(config, data.x_train, data.x_val, verbose=False)
    project_seconds = time.perf_counter() - start
    keras.backend.clear_session()
    keras.utils.set_random_seed(config.seed)
    model = build_cae(**config.build_kwargs())
    plain_compile(model, config)
    train, val = data.x_train.astype(np.float32) / 255, data.x_val.astype(np.float32) / 255
    start = time.perf_counter()
    plain = model.fit(
        train, train, validation_data=(val, val), batch_size=config.batch_size, epochs=args.epochs, verbose=0
    )
    plain_seconds = time.perf_counter() - start
    project_loss, plain_loss = history["val_loss"][-1], plain.history["val_loss"][-1]
    print(f"{args.model}, {args.epochs} epochs on 48,000 CIFAR-10 images, seed {config.seed}:")
    print(f"  project path: validation MSE {project_loss:.5f}, {project_seconds / args.epochs:.1f} s per epoch")
    print(f"  plain fit:    validation MSE {plain_loss:.5f}, {plain_seconds / args.epochs:.1f} s per epoch")
    print(f"  difference {project_loss / plain_loss - 1:+.1%} (target: within 2 %)")


def kernels(variant: str) -> str:
    """What this worker's framework runs on: oneDNN on or off, vector ISA, thread counts (call after training)."""
    cores = len(os.sched_getaffinity(0))
    isa = (
        f"ISA capped at {os.environ['ONEDNN_MAX_CPU_ISA']}" if "ONEDNN_MAX_CPU_ISA" in os.environ else "CPU's best ISA"
    )
    if variant in ("fit-torch", "pytorch-loop"):
        import torch

        onednn = torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
        return (
            f"PyTorch {torch.__version__}: ATen {torch.backends.cpu.get_cpu_capability()}, "
            f"oneDNN {f'on ({isa})' if onednn else 'off'}, "
            f"threads {torch.get_num_threads()} intra-op / {torch.get_num_interop_threads()} inter-op"
        )
    if variant == "fit-jax":
        import jax

        return f"JAX {jax.__version__}: XLA CPU code for this CPU, {cores} cores"
    import tensorflow as tf

    # TensorFlow reads the switch once, at import; coursework sets it to 1 unless the environment chose first
    onednn = {"1": f"on ({isa})", "0": "off (Eigen)"}.get(os.environ.get("TF_ENABLE_ONEDNN_OPTS"), "as TF defaults")
    intra = tf.config.threading.get_intra_op_parallelism_threads() or f"{cores} (auto)"
    inter = tf.config.threading.get_inter_op_parallelism_threads() or f"{cores} (auto)"
    return f"TensorFlow {tf.__version__}: oneDNN {onednn}, threads {intra} intra-op / {inter} inter-op"


def apply_knob(variant: str) -> None:
    """Change the one setting of a KNOB_VARIANTS variant in this process, before TensorFlow runs anything."""
    import tensorflow as tf

    from coursework import training

    if variant.startswith("project-spe"):
        training.STEPS_PER_EXECUTION = int(variant.removeprefix("project-spe"))  # compile_model reads it when called
    elif variant == "project-inter1":
        tf.config.threading.set_inter_op_parallelism_threads(1)
    elif variant == "project-intra1":
        tf.config.threading.set_intra_op_parallelism_threads(1)
    elif variant == "project-no-prefetch":
        tf.data.Dataset.prefetch = lambda dataset, *args, **kwargs: dataset


def worker(args: argparse.Namespace) -> None:
    """Run one variant in this process and print its result as one JSON line."""
    from coursework.experiments import experiment

    if args.variant in KNOB_VARIANTS:
        apply_knob(args.variant)
    config = experiment(args.model).config
    x_train, x_val = load_images(args.smoke, (args.warmup + args.steps) * BATCH)
    if args.variant == "pytorch-loop":
        seconds, val_mse = run_pytorch(config, x_train, x_val, args.warmup)
    else:
        seconds, val_mse = run_keras(args.variant, config, x_train, x_val, args.warmup)
    result = {
        "variant": args.variant,
        "images_per_s": args.steps * BATCH / seconds,
        "val_mse": val_mse,
        "peak_mb": peak_memory_mb(),
        "kernels": kernels(args.variant),
    }
    print("RESULT " + json.dumps(result), flush=True)


def measure(variant: str, args: argparse.Namespace) -> dict | str:
    """The result of one variant from a fresh process, or why it did not run."""
    if variant in NEEDS and importlib.util.find_spec(NEEDS[variant]) is None:
        return f"skipped: {NEEDS[variant]} is not installed (pip install -r benchmarks/requirements.txt)"
    backend = variant.removeprefix("fit-") if variant.startswith("fit-") else "tensorflow"
    env = os.environ | {"KERAS_BACKEND": backend}
    if variant == "project-onednn-off":
        env["TF_ENABLE_ONEDNN_OPTS"] = "0"
    if args.profile:
        env["ONEDNN_VERBOSE"] = "profile_exec"
    command = [sys.executable, __file__, "--worker", variant, "--model", args.model]
    command += ["--steps", str(args.steps), "--warmup", str(args.warmup)] + (["--smoke"] if args.smoke else [])
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"{variant} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    result = json.loads(lines[-1].removeprefix("RESULT "))
    if args.profile:
        result["onednn_ms"] = onednn_times(completed.stdout, args.steps + args.warmup)
    return result


def onednn_times(log: str, steps: int) -> dict[str, float]:
    """Milliseconds per training step in each kind of oneDNN primitive (convolution forward, reorder, ...), from the
    line that ONEDNN_VERBOSE=profile_exec prints for every primitive run: the whole run (warm-up, timed steps and the
    validation pass) over its training steps."""
    times: dict[str, float] = {}
    for line in log.splitlines():
        fields = line.split(",")
        if line.startswith("onednn_verbose") and "exec" in fields:
            at = fields.index("exec")
            kind = f"{fields[at + 2]} {fields[at + 4]}".removesuffix(" undef")
            times[kind] = times.get(kind, 0.0) + float(fields[-1]) / steps
    return times


def machine() -> str:
    """The CPU, its vector ISA flags and the kernel settings the workers get: what the figures hold for."""
    with open("/proc/cpuinfo") as cpuinfo:
        info = cpuinfo.read()
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))
    present = " ".join(flag for flag in ISA_FLAGS if flag in flags) or "none of " + " ".join(ISA_FLAGS)
    knobs = " ".join(f"{knob}={os.environ[knob]}" for knob in KNOBS if knob in os.environ) or "none"
    cores = len(os.sched_getaffinity(0))
    return f"CPU: {coursework.cpu_name()}, {cores} cores, ISA flags: {present}; environment: {knobs}"


def arguments() -> argparse.Namespace:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="cae_base", help="experiment name in coursework.experiments")
    parser.add_argument("--steps", type=int, default=750, help="timed training steps of batch 64 (750: one epoch)")
    parser.add_argument("--warmup", type=int, default=64, help="untimed steps first")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=[*VARIANTS, *KNOB_VARIANTS])
    parser.add_argument("--knobs", action="store_true", help="the project path with one setting changed at a time")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant (median reported)")
    parser.add_argument("--smoke", action="store_true", help="5 steps on synthetic images: checks that all runs")
    parser.add_argument("--profile", action="store_true", help="also: time in each kind of oneDNN primitive")
    parser.add_argument("--quality", action="store_true", help="instead: train --epochs with project path and fit")
    parser.add_argument("--epochs", type=int, default=10, help="epochs for --quality")
    parser.add_argument("--worker", choices=[*VARIANTS, *KNOB_VARIANTS], dest="variant", help=argparse.SUPPRESS)
    return parser.parse_args()


def rounds(args: argparse.Namespace) -> dict[str, list[dict] | str]:
    """Every variant's runs, in rounds of every variant in turn, so that a slow spell of a shared machine hits all of
    them alike; a variant that cannot run (a missing backend) is its reason instead."""
    runs: dict[str, list[dict] | str] = {variant: [] for variant in args.variants}
    for round_ in range(1, args.repeats + 1):
        for variant in args.variants:
            if isinstance(runs[variant], str):
                continue
            start = time.perf_counter()
            result = measure(variant, args)
            if isinstance(result, str):
                runs[variant] = result
                print(f"  {variant}: {result}", flush=True)
                continue
            runs[variant].append(result)
            print(
                f"  run {round_}/{args.repeats} {variant:<19} {result['images_per_s']:>7.0f} images/s "
                f"({time.perf_counter() - start:.0f} s in all)  RESULT {json.dumps(result)}",
                flush=True,
            )
    return runs


def report(runs: dict[str, list[dict] | str], args: argparse.Namespace) -> None:
    """The medians side by side: images/s, ratio to the PyTorch loop and to this CPU's limit, quality, memory."""
    speed = {v: float(np.median([r["images_per_s"] for r in rs])) for v, rs in runs.items() if not isinstance(rs, str)}
    limit_rate, derivation = physical_limit()
    print(f"median of {args.repeats} runs each; range in brackets; limit: {limit_rate:,.0f} images/s ({derivation})")
    print(f"{'variant':<19} {'images/s':>19} {'vs PyTorch loop':>16} {'of limit':>9} {'val MSE':>9} {'peak MB':>8}")
    for variant, results in runs.items():
        if isinstance(results, str):
            print(f"{variant:<19} {results}")
            continue
        rates = [result["images_per_s"] for result in results]
        spread = f"{speed[variant]:.0f} ({min(rates):.0f}-{max(rates):.0f})"
        ratio = f"{speed[variant] / speed['pytorch-loop']:.2f}x" if "pytorch-loop" in speed else "-"
        val_mse = float(np.median([result["val_mse"] for result in results]))
        peak = max(result["peak_mb"] for result in results)
        limit = f"{speed[variant] / limit_rate:.0%}"
        print(f"{variant:<19} {spread:>19} {ratio:>16} {limit:>9} {val_mse:>9.5f} {peak:>8.0f}")
    print("kernels:")
    for variant, results in runs.items():
        if not isinstance(results, str):
            print(f"  {variant:<19} {results[-1]['kernels']}")
    if args.profile:
        print("oneDNN primitives, ms per training step and share of the step's time (oneDNN's own timing):")
        for variant, results in runs.items():
            if isinstance(results, str):
                continue
            step_ms, times = BATCH / speed[variant] * 1e3, results[-1]["onednn_ms"]
            print(f"  {variant}: a step {step_ms:.1f} ms, in oneDNN {sum(times.values()):.1f} ms")
            for kind, ms in sorted(times.items(), key=lambda item: -item[1]):
                print(f"    {kind:<36} {ms:7.2f} ms {ms / step_ms:5.0%}")
    changed = [variant for variant in args.variants if variant in KNOB_VARIANTS]
    if changed:
        print("settings changed from the project path:")
        for variant in changed:
            print(f"  {variant:<19} {KNOB_VARIANTS[variant]}")


def main() -> None:
    args = arguments()
    if args.quality:
        quality(args)
        return
    if args.smoke:
        args.steps, args.warmup, args.repeats = 5, 2, 1
    if args.variant:
        worker(args)
        return
    if args.knobs:
        args.variants = ["project", *KNOB_VARIANTS, "pytorch-loop"]
    print(machine())
    print(
        f"{args.model}: {args.steps} timed Adam steps of batch {BATCH} after {args.warmup} warm-up steps"
        f"{', synthetic images (smoke)' if args.smoke else ', CIFAR-10'}; one line per run as it finishes",
        flush=True,
    )
    report(rounds(args), args)


if __name__ == "__main__":
    main()
