"""TensorFlow and Keras for the package's modules, imported with TensorFlow's C++ start-up lines silenced.

Import them from here (``from coursework._tensorflow import keras, layers, tf``), not directly: the first import of
TensorFlow prints lines on stderr before ``TF_CPP_MIN_LOG_LEVEL`` applies (see :mod:`coursework`), which would show
as error boxes in notebook outputs.
"""

from coursework import silenced_stderr

with silenced_stderr():
    import keras
    import tensorflow as tf

layers = keras.layers

__all__ = ["keras", "layers", "tf"]
