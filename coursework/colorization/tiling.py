"""Exact tiling: which input pixels each output pixel of a colorizer depends on, and the tiles that follow from it.

A large image is coloured in tiles, each with a margin as wide as the model's receptive field and corners on the
model's pooling grid, so that every kept pixel equals the whole image's (:func:`tiling_geometry`). A model with a
global branch averages features over the whole image: :func:`scene_split` separates that average, which
:func:`scene_average` computes tile by tile, from the rest of the model, which then tiles exactly too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import numpy as np

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
        (model_output,) = model.outputs
        (model_input,) = [tensor for tensor in model.inputs if len(tensor.shape) == 4]
    except (AttributeError, TypeError, ValueError):  # a subclassed model has no graph to follow
        return None
    reach: dict[int, Reach | str] = {id(model_input): (Fraction(1), Fraction(0), Fraction(0))}
    reach |= {id(tensor): _GLOBAL for tensor in model.inputs if len(tensor.shape) == 2}  # one vector per image
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
    if reach.get(id(model_output), _GLOBAL) == _GLOBAL or reach[id(model_output)][0] != 1:
        return None
    jumps = [value[0] for value in reach.values() if value != _GLOBAL]
    if any(jump.denominator != 1 for jump in jumps):
        return None
    alignment = math.lcm(*(int(jump) for jump in jumps))
    _, low, high = reach[id(model_output)]
    return alignment, round_up(math.ceil(max(-low, high)), alignment)


_GLOBAL = "global"  # the reach of a tensor that is the same for every pixel of an image (a global branch's vector)


def _layer_reach(layer: layers.Layer, inputs: list[Reach | str]) -> Reach | str | None:
    """The reach of ``layer``'s output from that of its inputs; None for layer kinds not handled here.

    Convolutions and pooling use TensorFlow's "same" padding for inputs that are multiples of the stride (the
    tiles are); bilinear upsampling interpolates between the two input pixels nearest the half-pixel centre. A
    global vector (:data:`_GLOBAL`) stays global through dense, reshaping and pointwise layers, and adds no reach
    where it is added to or concatenated with pixels.
    """
    if all(value == _GLOBAL for value in inputs):
        return _GLOBAL if isinstance(layer, (layers.Dense, layers.Reshape, *_POINTWISE_LAYERS)) else None
    inputs = [value for value in inputs if value != _GLOBAL]
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


def scene_split(model: keras.Model) -> tuple[keras.Model, keras.Model] | None:
    """For a colorizer with a global branch (a ``"global_pool"`` layer), two models with its layers and weights:
    ``features``, luminance -> the features the branch averages over the image, and ``given``, (luminance, that
    average) -> chroma. :func:`colorize` tiles a large image exactly with them: the average over the whole image
    first, tile by tile, then every tile with it. None for a model without a global branch."""
    if "global_pool" not in {layer.name for layer in model.layers}:
        return None
    pool = model.get_layer("global_pool")
    luma, scene = keras.Input(model.input.shape[1:], name="luma"), keras.Input(pool.output.shape[1:], name="scene")
    tensors = {id(model.input): luma, id(pool.output): scene}
    copies = []  # fresh layers with the same weights: the model's own layers would each get a second graph
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer) or layer is pool:
            continue
        copy = type(layer).from_config(layer.get_config())
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        mapped = [tensors[id(tensor)] for tensor in inputs]
        tensors[id(layer.output)] = copy(mapped if isinstance(layer.input, list) else mapped[0])
        copies.append((copy, layer))
    for copy, layer in copies:
        copy.set_weights(layer.get_weights())
    return keras.Model(model.input, pool.input), keras.Model([luma, scene], tensors[id(model.output)])


def scene_average(features: keras.Model, luma: np.ndarray, alignment: int, margin: int, tile_size: int) -> np.ndarray:
    """The average of ``features`` over one image (1, H, W, 1), edge-padded to multiples of ``alignment`` as
    :func:`coursework.colorization.prediction.colorize` pads it, computed tile by tile (each with ``margin`` pixels
    of context): the global branch's input for that image, exactly as on the whole image."""
    height, width = round_up(luma.shape[1], alignment), round_up(luma.shape[2], alignment)
    padded = np.pad(luma, ((0, 0), (0, height - luma.shape[1]), (0, width - luma.shape[2]), (0, 0)), mode="edge")
    total, count = 0.0, 0
    for rows, columns, (keep_rows, keep_columns), _ in squares(height, width, margin, tile_size):
        values = np.asarray(features(padded[:, rows, columns], training=False), dtype=np.float64)
        step = (rows.stop - rows.start) // values.shape[1]  # input pixels per feature position
        keep = values[
            :, keep_rows.start // step : keep_rows.stop // step, keep_columns.start // step : keep_columns.stop // step
        ]
        total, count = total + keep.sum(axis=(1, 2)), count + keep.shape[1] * keep.shape[2]
    return (total / count).astype(np.float32)


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
        for rows, columns, keep, square in squares(height, width, margin, tile_size):
            yield (image, rows, columns), keep, (image, *square)


def squares(
    height: int, width: int, margin: int, tile_size: int
) -> Iterator[tuple[slice, slice, tuple[slice, slice], tuple[slice, slice]]]:
    """The ``tile_size`` squares that cover an image: for each, the rows and columns of its window (``margin``
    pixels beyond the square where the image goes on), the square within the window, and the square in the image."""
    for top in range(0, height, tile_size):
        for left in range(0, width, tile_size):
            rows = slice(max(top - margin, 0), min(top + tile_size + margin, height))
            columns = slice(max(left - margin, 0), min(left + tile_size + margin, width))
            keep = (
                slice(top - rows.start, top - rows.start + tile_size),
                slice(left - columns.start, left - columns.start + tile_size),
            )
            yield rows, columns, keep, (slice(top, top + tile_size), slice(left, left + tile_size))
