"""Exact tiling: which input pixels each output pixel of a colorizer depends on, and the tiles that follow from it.

A large image is coloured in tiles, each with a margin as wide as the model's receptive field and corners on the
model's pooling grid, so that every kept pixel equals the whole image's (:func:`tiling_geometry`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

from coursework._tensorflow import keras, layers

# Layers whose output pixel depends on the same input pixels as their input's (no spatial extent).
_POINTWISE_LAYERS = (
    layers.Activation,
    layers.ReLU,
    layers.BatchNormalization,
    layers.Dropout,
    layers.Rescaling,
    layers.Softmax,
)


Reach = tuple[Fraction, Fraction, Fraction]  # (jump, low, high): pixel i sees input pixels i*jump+low..i*jump+high


def tiling_geometry(model: keras.Model) -> tuple[int, int] | None:
    """(alignment, margin) in input pixels for running ``model`` on overlapping tiles, or None if unknown.

    Follows every tensor of the model's graph from the input and records which input pixels each of its pixels
    depends on. A tile whose corners lie on multiples of ``alignment`` (every stride, so the pooling grids of tile
    and image coincide) and that extends ``margin`` pixels (the receptive field's reach, rounded up to the
    alignment) beyond the part kept computes exactly what the whole image does there: no seams. None for models
    that are not a single-input, single-output graph of the layer kinds handled in :func:`_layer_reach`.
    """
    try:
        (model_input,), (model_output,) = model.inputs, model.outputs
    except (AttributeError, TypeError, ValueError):  # a subclassed model has no graph to follow
        return None
    reach: dict[int, Reach] = {id(model_input): (Fraction(1), Fraction(0), Fraction(0))}
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        if any(id(tensor) not in reach for tensor in inputs):
            return None
        output_reach = _layer_reach(layer, [reach[id(tensor)] for tensor in inputs])
        if output_reach is None or not isinstance(layer.output, keras.KerasTensor):
            return None
        reach[id(layer.output)] = output_reach
    if id(model_output) not in reach or reach[id(model_output)][0] != 1:
        return None
    jumps = [jump for jump, _, _ in reach.values()]
    if any(jump.denominator != 1 for jump in jumps):
        return None
    alignment = math.lcm(*(int(jump) for jump in jumps))
    _, low, high = reach[id(model_output)]
    return alignment, round_up(math.ceil(max(-low, high)), alignment)


def _layer_reach(layer: layers.Layer, inputs: list[Reach]) -> Reach | None:
    """The reach of ``layer``'s output from that of its inputs; None for layer kinds not handled here.

    Convolutions and pooling use TensorFlow's "same" padding for inputs that are multiples of the stride (the
    tiles are); bilinear upsampling interpolates between the two input pixels nearest the half-pixel centre.
    """
    if isinstance(layer, (layers.Concatenate, layers.Add)):
        if len({jump for jump, _, _ in inputs}) != 1:
            return None
        return inputs[0][0], min(low for _, low, _ in inputs), max(high for _, _, high in inputs)
    if len(inputs) != 1:
        return None
    (jump, low, high) = inputs[0]
    if isinstance(layer, _POINTWISE_LAYERS):
        return jump, low, high
    if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D)):
        is_conv = isinstance(layer, layers.Conv2D)
        window, strides = layer.kernel_size if is_conv else layer.pool_size, layer.strides
        dilation = layer.dilation_rate if is_conv else (1, 1)
        if window[0] != window[1] or strides[0] != strides[1] or dilation[0] != dilation[1]:
            return None
        extent, stride = (window[0] - 1) * dilation[0], strides[0]
        before = max(extent + 1 - stride, 0) // 2 if layer.padding == "same" else 0
        return jump * stride, low - before * jump, high + (extent - before) * jump
    if isinstance(layer, layers.UpSampling2D) and layer.size[0] == layer.size[1]:
        size = layer.size[0]
        if layer.interpolation == "nearest":
            return jump / size, low - (size - 1) * jump / size, high
        if layer.interpolation == "bilinear":
            centre = Fraction(1, 2 * size)
            return jump / size, low + (centre - Fraction(3, 2)) * jump, high + (centre + Fraction(1, 2)) * jump
    return None


def round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


Window = tuple[slice, slice, slice]


def tiles(
    shape: tuple[int, int, int], alignment: int, margin: int | None, tile_size: int
) -> Iterator[tuple[Window, tuple[slice, slice], Window]]:
    """The windows of an (N, H, W) batch to run the model on: (window, the part of its output to keep, where that
    part goes in the result).

    Images whose padded area fits in ``(tile_size + 2 * margin) ** 2`` pixels (``tile_size ** 2`` when ``margin``
    is None) go whole, as many per window as fit; larger ones in ``tile_size`` squares, one image at a time, each
    window reaching ``margin`` pixels past its square where the image goes on.
    """
    count, height, width = shape
    budget = (tile_size + 2 * (margin or 0)) ** 2
    area = round_up(height, alignment) * round_up(width, alignment)
    everything = slice(None)
    if margin is None or area <= budget:
        per_window = max(1, budget // area)
        for start in range(0, count, per_window):
            images = slice(start, start + per_window)
            yield (images, everything, everything), (everything, everything), (images, everything, everything)
        return
    for index in range(count):
        image = slice(index, index + 1)
        for top in range(0, height, tile_size):
            for left in range(0, width, tile_size):
                rows = slice(max(top - margin, 0), min(top + tile_size + margin, height))
                columns = slice(max(left - margin, 0), min(left + tile_size + margin, width))
                keep = (
                    slice(top - rows.start, top - rows.start + tile_size),
                    slice(left - columns.start, left - columns.start + tile_size),
                )
                yield (image, rows, columns), keep, (image, slice(top, top + tile_size), slice(left, left + tile_size))
