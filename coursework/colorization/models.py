"""The colorizer models: the U-Net, the saved form of a colour-class colorizer, and the committed colorizers."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras, layers
from coursework.autoencoders import build_cae
from coursework.color import rgb_to_ycrcb
from coursework.colorization.config import ColorizerConfig, check_global_features, check_temperature
from coursework.store import load_model_file, model_paths
from coursework.training import call_in_batches


def build_unet(
    filters: tuple[int, ...] = (16, 32, 64, 64), head_channels: int = 2, name: str = "unet", global_features: int = 0
) -> keras.Model:
    """A small U-Net from luminance (N, H, W, 1) to ``head_channels`` linear outputs at half resolution.

    Encoder: one 3x3 ReLU convolution per level with ``filters[i]`` channels, 2x2 max pooling between levels, the
    last entry at the bottom (1/8 of the input for four entries). Decoder: upsample, concatenate the encoder's
    features of that level (the skip connection that carries edges and positions past the bottleneck), convolve;
    it stops at half resolution, where a 1x1 convolution gives the head.

    ``global_features > 0`` adds a global branch (Iizuka, Simo-Serra & Ishikawa 2016, "Let there be Color!"): the
    bottom's features averaged over the whole image, through two dense layers of that width, added to every position
    of the bottom (the same as concatenating them and mixing with a 1x1 convolution). Each pixel's colour can then
    depend on what the whole image shows, the scene, which its own receptive field may not reveal.
    """
    if len(filters) < 3 or min(filters) < 1:
        raise ValueError(f"filters needs at least three positive channel counts, got {filters}")
    global_features = check_global_features(global_features)
    inputs = keras.Input((None, None, 1), name="luma")
    x, skips = inputs, []
    for level, channels in enumerate(filters[:-1]):
        x = layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"down{level + 1}")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level + 1}")(x)
    x = layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="bottom")(x)
    if global_features:
        scene = layers.GlobalAveragePooling2D(name="global_pool")(x)
        scene = layers.Dense(global_features, activation="relu", name="global1")(scene)
        scene = layers.Dense(filters[-1], name="global2")(scene)
        local = layers.Conv2D(filters[-1], 1, name="fusion_local")(x)
        x = layers.Add(name="fusion")([local, layers.Reshape((1, 1, filters[-1]), name="global_map")(scene)])
        x = layers.ReLU(name="fusion_relu")(x)
    for level in reversed(range(1, len(filters) - 1)):
        x = layers.UpSampling2D(2, name=f"up{level + 1}")(x)
        x = layers.Concatenate(name=f"skip{level + 1}")([x, skips[level]])
        x = layers.Conv2D(filters[level], 3, padding="same", activation="relu", name=f"up{level + 1}_conv")(x)
    outputs = layers.Conv2D(head_channels, 1, name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def colorizer_from_logits(logits_model: keras.Model, centres: np.ndarray, temperature: float) -> keras.Model:
    """The saved form of a ``"bins"`` colorizer: luminance -> logits -> annealed-mean chroma, upsampled to full size.

    The annealed mean, sum_q softmax(logits / T)_q * centre_q (Zhang et al. 2016), is built from Keras's own layers
    (a rescaling by 1 / T, a softmax, and a fixed 1x1 convolution whose kernel holds the bin centres), so the file
    loads with plain ``keras.models.load_model``, no custom classes needed.
    """
    centres = np.asarray(centres, dtype=np.float32)
    scaled = layers.Rescaling(1 / check_temperature(temperature), name="temperature")(logits_model.output)
    probabilities = layers.Softmax(name="probabilities")(scaled)
    mean = layers.Conv2D(2, 1, use_bias=False, trainable=False, name="annealed_mean")
    chroma = mean(probabilities)
    mean.set_weights([centres[None, None]])
    chroma = layers.UpSampling2D(2, interpolation="bilinear", name="chroma")(chroma)
    return keras.Model(logits_model.input, chroma, name="colorizer")


def is_colour_class_model(model: keras.Model) -> bool:
    """Whether ``model`` is a ``"bins"`` colorizer (in its saved form), whose decoding temperature can be changed."""
    names = {layer.name: layer for layer in model.layers}
    return isinstance(names.get("temperature"), layers.Rescaling) and isinstance(
        names.get("annealed_mean"), layers.Conv2D
    )


def _colour_class_model(model: keras.Model) -> keras.Model:
    if not isinstance(model, keras.Model) or not is_colour_class_model(model):
        raise ValueError(
            "this needs a colour-class colorizer (target 'bins', e.g. load_colorizer('colorizer')): a regression "
            "colorizer predicts its colour directly and has no temperature"
        )
    return model


def decoding_temperature(model: keras.Model) -> float:
    """The annealed-mean temperature a ``"bins"`` colorizer decodes with (to 12 significant digits, undoing 1 / T)."""
    return float(f"{1 / float(_colour_class_model(model).get_layer('temperature').scale):.12g}")


def bin_centres(model: keras.Model) -> np.ndarray:
    """The colour classes' (Cr, Cb) centres (Q, 2) of a ``"bins"`` colorizer."""
    return _colour_class_model(model).get_layer("annealed_mean").get_weights()[0][0, 0]


def with_temperature(model: keras.Model, temperature: float) -> keras.Model:
    """The same ``"bins"`` colorizer (shared weights) decoding with another annealed-mean temperature."""
    logits_model = keras.Model(model.input, _colour_class_model(model).get_layer("temperature").input)
    return colorizer_from_logits(logits_model, bin_centres(model), temperature)


def build_colorizer(config: ColorizerConfig, classes: int | None = None) -> keras.Model:
    """The (uncompiled) model that ``config`` trains: for ``"bins"``, luminance -> logits over ``classes`` bins."""
    if config.architecture == "cae":
        return build_cae(
            config.filters,
            output_activation="sigmoid",
            input_channels=1,
            output_channels=3 if config.target == "rgb" else 2,
            image_size=None,
            name="colorizer",
        )
    if config.target == "bins":
        if classes is None:
            raise ValueError("a 'bins' colorizer needs the number of colour classes")
        return build_unet(config.filters, classes, "colorizer_logits", config.global_features)
    unet = build_unet(config.filters, 3 if config.target == "rgb" else 2, global_features=config.global_features)
    outputs = layers.Activation("sigmoid", name="sigmoid")(unet.output)
    outputs = layers.UpSampling2D(2, interpolation="bilinear", name="full_size")(outputs)
    return keras.Model(unet.input, outputs, name="colorizer")


def downsampling_factor(model: keras.Model) -> int:
    """The factor the model's sides must be multiples of: the product of its pooling sizes."""
    pools = [layer.pool_size[0] for layer in model.layers if isinstance(layer, layers.MaxPooling2D)]
    return int(np.prod(pools)) if pools else 1


def predict_chroma(model: keras.Model, luma: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Chroma (N, H, W, 2) for float luminance (N, H, W, 1); sides must be multiples of the model's factor.

    A model with three outputs (``target="rgb"``) gives RGB: its chroma is that of its output.
    """
    outputs = call_in_batches(model, luma, batch_size)
    return rgb_to_ycrcb(np.clip(outputs, 0, 1))[..., 1:] if outputs.shape[-1] == 3 else outputs


@functools.cache
def load_colorizer(name: str = "colorizer", directory: Path | None = None) -> keras.Model:
    """A committed colorizer (``models/<name>.keras``, or in ``directory``), loaded once per session.

    ``name`` is a plain experiment name, never a path (:func:`coursework.store.check_name`); a ValueError where the
    file holds another kind of model.
    """
    path = model_paths(name, directory)["model"]
    if not path.exists():
        from coursework.experiments.registry import experiment  # at call time: the registry imports this module

        try:
            experiment(name)
        except ValueError as error:  # no command trains it: say so, rather than suggest one that fails
            raise FileNotFoundError(
                f"{path} not found, and there is no such experiment to train ({error}); a .keras file elsewhere "
                "is loaded with coursework.store.load_model_file(path)"
            ) from None
    return check_colorizer(load_model_file(path), f"{path.name}")


# What ``colorize`` uses by default: a committed colorizer and, for a colour-class one, its decoding temperature;
# chosen by :func:`choose_colorizer`'s criterion on the validation split (notebook 02, section 7.6 checks it).
DEFAULT_COLORIZER = ("colorizer_classes_global_augment", 2.0)


def default_colorizer() -> keras.Model:
    """The colorizer ``colorize`` uses unless told otherwise: :data:`DEFAULT_COLORIZER`."""
    name, temperature = DEFAULT_COLORIZER
    model = load_colorizer(name)
    return model if temperature is None else with_temperature(model, temperature)


def check_colorizer(model: keras.Model, where: str = "model") -> keras.Model:
    """``model`` if it maps luminance (one channel) to chroma or RGB, else a ValueError that names the mistake.

    An autoencoder (RGB in, RGB out) given where a colorizer belongs would otherwise fail deep inside Keras.
    """
    try:
        (model_input,) = [tensor for tensor in model.inputs if len(tensor.shape) == 4]
        in_channels, out_channels = model_input.shape[-1], model.outputs[0].shape[-1]
    except (AttributeError, TypeError, ValueError, IndexError):  # a subclassed model: nothing to check before a call
        return model
    if in_channels != 1 or out_channels not in (2, 3):
        kind = "an autoencoder" if in_channels == out_channels == 3 else "not a colorizer"
        raise ValueError(
            f"{where} is {kind}: it maps {in_channels} channel(s) to {out_channels}, and a colorizer maps luminance "
            "(1 channel) to chroma (2) or RGB (3): pass a colorizer, e.g. load_colorizer('colorizer')"
        )
    return model
