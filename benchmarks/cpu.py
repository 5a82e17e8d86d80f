"""The float32 peak of the CPU a benchmark runs on, derived from what /proc/cpuinfo says about it."""

from __future__ import annotations

import os
from pathlib import Path

# A training step of the reference model costs about 8 MFLOP per image: 1.33 M multiply-adds forward, about three
# times that with the backward pass.
FLOP_PER_IMAGE = 8e6


def physical_limit(
    cpuinfo: str | None = None, cores: int | None = None, max_isa: str | None = None
) -> tuple[float, str]:
    """Images/s at the float32 peak of the CPU this runs on, and how that peak was derived.

    Peak = cores x FMA units (2 per core on every CPU kind here) x float32 lanes per FMA x 2 FLOP x clock. Lanes: 16
    with AVX-512, except AMD family 25 (Zen 4), which executes a 512-bit FMA as two 256-bit halves (8 per unit, as
    with AVX2); 8 with AVX2 + FMA, or with AVX-512 capped to AVX2 by ``max_isa`` (default: the environment's
    ONEDNN_MAX_CPU_ISA, as when AVX2 is emulated); 4 otherwise. AMX multiplies bf16/int8 tiles, not the float32 these
    models train in, so it adds nothing here. The clock is the one /proc/cpuinfo reports (nominal; turbo may run
    faster).
    """
    text = cpuinfo if cpuinfo is not None else Path("/proc/cpuinfo").read_text()
    first = text.split("\n\n", 1)[0]  # the first processor's block
    fields = dict(line.split(":", 1) for line in first.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    flags = set(fields.get("flags", "").split())
    amd_zen4 = fields.get("vendor_id") == "AuthenticAMD" and fields.get("cpu family") == "25"
    if max_isa is None:
        max_isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "")
    if max_isa.upper().startswith("AVX2"):
        flags.discard("avx512f")
    if "avx512f" in flags and not amd_zen4:
        lanes, isa = 16, "AVX-512"
    elif "avx2" in flags and "fma" in flags:
        lanes, isa = 8, "AVX-512 on 256-bit units (Zen 4)" if amd_zen4 and "avx512f" in flags else "AVX2 + FMA"
    else:
        lanes, isa = 4, "SSE"
    gigahertz = float(fields.get("cpu MHz", "2500")) / 1000
    cores = cores or len(os.sched_getaffinity(0))
    peak = cores * 2 * lanes * 2 * gigahertz * 1e9
    how = f"{cores} cores x 2 FMA units x {lanes} float32 lanes ({isa}) x 2 FLOP x {gigahertz:.2f} GHz"
    return peak / FLOP_PER_IMAGE, f"{how} = {peak / 1e9:.0f} GFLOP/s at {FLOP_PER_IMAGE / 1e6:.0f} MFLOP per image"
