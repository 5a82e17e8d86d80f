"""Backpropagated gradients checked against numerical ones, entry by entry (as in cs231n's assignments)."""

from __future__ import annotations

import numpy as np

from coursework.backprop.network import Backward, Network, backward
from coursework.checks import check_real


def gradient_check(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    weight_decay: float = 0.0,
    step: float = 1e-3,
    backward: Backward = backward,
) -> float:
    """Largest relative error between the gradients ``backward`` gives (:meth:`Network.gradients`) and numerical
    ones, over every parameter.

    The numerical gradient is the fourth-order central difference
    ``(8 (f(p+h) - f(p-h)) - (f(p+2h) - f(p-2h))) / 12h``: its truncation error is O(h^4), so a step large
    enough to keep float64 round-off negligible even for tiny gradient entries is still accurate. Relative
    error is ``|analytic - numeric| / max(|analytic| + |numeric|, 1e-8)`` (as in cs231n); below 1e-7 means
    the backward pass is right.

    Raises ValueError for a ``step`` that is not finite and > 0, and where the loss or a backpropagated gradient
    is NaN or infinite: no error can be measured there, and a number (NaN compares as "not worse") would hide it.
    """
    step = check_real(step, "step", positive=True)
    if not 1e-8 <= step <= 0.1:  # smaller: round-off swamps the difference; larger: the Taylor expansion fails
        raise ValueError(f"step must be a finite number > 0 between 1e-8 and 0.1, got {step!r}")
    grads_w, grads_b = net.gradients(X, Y, weight_decay, backward=backward)
    worst = 0.0
    for (name, parameter), analytic in zip(net.parameters().items(), grads_w + grads_b):
        if not np.all(np.isfinite(analytic)):
            raise ValueError(f"the backpropagated gradient of {name} contains NaN or infinite values")
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            losses = {}
            for shift in (-2, -1, 1, 2):
                parameter[index] = original + shift * step
                losses[shift] = net.loss(X, Y, weight_decay)
            parameter[index] = original
            if not all(np.isfinite(loss) for loss in losses.values()):
                raise ValueError(f"the loss is NaN or infinite near {name}[{', '.join(map(str, index))}]")
            numeric = (8 * (losses[1] - losses[-1]) - (losses[2] - losses[-2])) / (12 * step)
            error = abs(analytic[index] - numeric) / max(abs(analytic[index]) + abs(numeric), 1e-8)
            worst = max(worst, error)
    return worst
