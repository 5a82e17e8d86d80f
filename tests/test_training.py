"""Tests of the shared training loop's pieces (coursework.training) that the model tests do not reach."""

import numpy as np
import pytest

from coursework.training import STEPS_PER_EXECUTION, augmented, compile_model, image_dataset


def test_pipeline_yields_every_image_once_per_epoch_in_a_seeded_order() -> None:
    images = np.arange(100, dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)

    import tensorflow as tf

    def epochs(seed: int, numbers: tuple[int, ...]) -> list[list[int]]:
        epoch = tf.Variable(0, dtype=tf.int64)
        dataset, orders = image_dataset(images, 16, shuffle_seed=seed, epoch=epoch), []
        for number in numbers:
            epoch.assign(number)
            orders.append([int(v) for x, _ in dataset for v in np.round(x.numpy()[:, 0, 0, 0] * 255)])
        return orders

    first, second = epochs(3, (0, 1))
    assert sorted(first) == sorted(second) == list(range(100))
    assert first != second  # reshuffled every epoch
    assert epochs(3, (0, 1)) == [first, second]  # the same seed, the same order
    assert epochs(3, (1,)) == [second]  # a resumed run sees the epoch's own order, whatever came before
    unshuffled = [
        int(v) for x, _ in image_dataset(images, 16, shuffle_seed=None) for v in np.round(x.numpy()[:, 0, 0, 0] * 255)
    ]
    assert unshuffled == list(range(100))


def test_every_model_compiles_with_the_same_steps_per_execution() -> None:
    from coursework.autoencoders import build_cae, compile_cae
    from coursework.colorization import ColorizerConfig, build_colorizer
    from coursework.configs import CAEConfig

    autoencoder, colorizer = build_cae(), build_colorizer(ColorizerConfig(target="chroma"))
    compile_cae(autoencoder, CAEConfig(optimizer="sgd"))
    compile_model(colorizer, "mse", 1e-3)
    assert autoencoder.steps_per_execution == colorizer.steps_per_execution == STEPS_PER_EXECUTION
    assert type(autoencoder.optimizer).__name__ == "SGD"  # the config's optimizer, by its name


def test_augmentation_flips_and_shifts_training_batches_only() -> None:
    import tensorflow as tf

    ramp = np.broadcast_to(np.arange(16, dtype=np.float32)[None, None, :, None], (64, 16, 16, 3)) / 15
    moved = augmented(tf.constant(ramp), tf.constant([0, 1], tf.int64)).numpy()
    np.testing.assert_array_equal(augmented(tf.constant(ramp), tf.constant([0, 1], tf.int64)).numpy(), moved)
    assert moved.shape == ramp.shape
    rising = moved[:, 8, 8, 0] < moved[:, 8, 9, 0]  # a flipped ramp falls from left to right
    assert 0 < rising.sum() < 64  # some images flipped, not all
    batches = [augmented(tf.constant(ramp), tf.constant([0, seed], tf.int64)).numpy() for seed in range(4)]
    unflipped = [batch[batch[:, 8, 8, 0] < batch[:, 8, 9, 0]] for batch in batches]
    assert any(not np.array_equal(batch, ramp[: len(batch)]) for batch in unflipped)  # and some shifted
    images = (np.arange(8, dtype=np.uint8)[:, None, None, None] * 30) * np.ones((1, 8, 8, 3), np.uint8)
    batches = [x.numpy() for x, _ in image_dataset(images, 8, shuffle_seed=None, augment=False)]
    np.testing.assert_array_equal(batches[0], images / np.float32(255))  # without augment: the images as they are


def test_interrupted_training_resumes_from_its_last_epoch_with_its_history(tmp_path) -> None:
    from unittest import mock

    import keras

    import coursework.training as training
    from coursework.autoencoders import train_cae
    from coursework.configs import CAEConfig

    images = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)
    config = CAEConfig(filters=(4, 4), epochs=5, batch_size=16, patience=2, learning_rate=0.01)

    class Interrupted(Exception):
        pass

    class InterruptAfterTwoEpochs(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            if epoch == 2:
                raise Interrupted

    checkpoints = tmp_path / "run"
    with mock.patch.object(training, "EpochLine", InterruptAfterTwoEpochs), pytest.raises(Interrupted):
        train_cae(config, images, images[:16], verbose=True, checkpoint_dir=checkpoints)
    saved = __import__("json").loads((checkpoints / "state.json").read_text())
    assert len(saved["history"]["loss"]) == 2 and saved["stopping"]["best"] == min(saved["history"]["val_loss"])
    _, history = train_cae(config, images, images[:16], verbose=False, checkpoint_dir=checkpoints)
    assert history["loss"][:2] == saved["history"]["loss"]  # the epochs before the interruption are kept
    assert 3 <= len(history["loss"]) <= 5  # and training went on from epoch 3
    assert (checkpoints / "state.json").exists()  # kept until the caller has saved the model


def test_a_checkpoint_of_another_run_is_refused_before_training(tmp_path) -> None:
    import json
    from dataclasses import replace

    from coursework.autoencoders import train_cae
    from coursework.checkpoint import FORMAT, data_fingerprint
    from coursework.configs import CAEConfig

    images = np.random.default_rng(0).integers(0, 256, (32, 32, 32, 3), dtype=np.uint8)
    config = CAEConfig(filters=(2, 2), epochs=1, batch_size=16)
    other_run = tmp_path / "other"
    other_run.mkdir()
    state = {"format": FORMAT, "config": repr(replace(config, learning_rate=0.5)), "data": data_fingerprint(images)}
    (other_run / "state.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match="learning_rate=0.5"):
        train_cae(config, images, images[:8], verbose=False, checkpoint_dir=other_run)
