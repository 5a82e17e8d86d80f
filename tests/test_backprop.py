"""Tests of the hand-written backpropagation network (coursework.backprop)."""

import warnings

import numpy as np
import pytest

from coursework.backprop import ACTIVATIONS, History, Network, encoder_dataset, gradient_check, train_stacked
from coursework.backprop.stacked import _backward, _forward

X8, Y8 = encoder_dataset(8)


def random_data(sizes: tuple[int, ...], samples: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((samples, sizes[0])), rng.random((samples, sizes[-1]))


def test_encoder_dataset_is_one_hot_identity() -> None:
    X, Y = encoder_dataset(8)
    assert X.shape == Y.shape == (8, 8)
    np.testing.assert_array_equal(X, np.eye(8))
    np.testing.assert_array_equal(X, Y)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [(8, 3, 8), (4, 2, 4), (5, 7, 3), (6, 4, 3, 2)])
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_gradients_match_numerical_differences(sizes, activation, weight_decay) -> None:
    net = Network(sizes, init="xavier", bias_init="uniform", activation=activation, seed=3)
    X, Y = random_data(sizes)
    assert gradient_check(net, X, Y, weight_decay=weight_decay) < 1e-7


def test_gradient_check_detects_a_wrong_gradient() -> None:
    net = Network((4, 3, 4), seed=1)
    X, Y = random_data((4, 3, 4))
    broken = net.gradients

    def off_by_ten_percent(*args, **kwargs):
        grads_w, grads_b = broken(*args, **kwargs)
        grads_w[0] = grads_w[0] * 1.1
        return grads_w, grads_b

    net.gradients = off_by_ten_percent
    assert gradient_check(net, X, Y) > 0.01


def test_training_learns_the_8_3_8_encoder_for_most_seeds() -> None:
    nets = [Network((8, 3, 8), seed=seed) for seed in range(20)]
    history = train_stacked(nets, X8, Y8, epochs=3000, learning_rate=20.0)
    assert history.loss.shape == history.accuracy.shape == (20, 3000)
    solved = history.accuracy[:, -1] == 1.0
    assert solved.mean() >= 0.9
    assert np.all(history.loss[:, -1] < history.loss[:, 0])
    for net in np.array(nets)[solved]:
        np.testing.assert_array_equal(net.predict(X8).argmax(axis=1), np.arange(8))


def test_single_network_reaches_reference_loss() -> None:
    net = Network((8, 3, 8), seed=0)
    history = net.train(X8, Y8, epochs=2000, learning_rate=20.0)
    assert history.loss.shape == (2000,)
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.0018


def test_same_seed_gives_identical_results_and_other_seed_differs() -> None:
    runs = []
    for seed in (7, 7, 8):
        net = Network((8, 3, 8), init="normal", bias_init="normal", seed=seed)
        history = net.train(X8, Y8, epochs=200, learning_rate=5.0, batch_size=3)
        runs.append((history.loss, net.weights[0]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_bias_init_does_not_change_the_weight_draw() -> None:
    a = Network((8, 3, 8), bias_init="zeros", seed=4)
    b = Network((8, 3, 8), bias_init="normal", seed=4)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("batch_size", [None, 3])
def test_stacked_training_equals_one_by_one(batch_size) -> None:
    configs = [
        ("uniform", "zeros", 1.0),
        ("normal", "uniform", 5.0),
        ("xavier", "xavier", 0.5),
        ("zeros", "normal", 2.0),
    ]

    def make():
        return [Network((8, 3, 8), init=w, bias_init=b, seed=i) for i, (w, b, _) in enumerate(configs)]

    rates = [rate for *_, rate in configs]
    decays = [0.0, 1e-3, 0.0, 1e-2]
    stacked = make()
    stacked_history = train_stacked(stacked, X8, Y8, 300, rates, decays, batch_size=batch_size)
    for index, (net, rate, decay) in enumerate(zip(make(), rates, decays)):
        history = net.train(X8, Y8, 300, rate, weight_decay=decay, batch_size=batch_size)
        np.testing.assert_allclose(stacked_history.loss[index], history.loss, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(stacked_history.accuracy[index], history.accuracy)
        for w_stacked, w_single in zip(stacked[index].weights, net.weights):
            np.testing.assert_allclose(w_stacked, w_single, rtol=1e-12, atol=1e-14)


def test_weight_decay_shrinks_the_weights() -> None:
    plain, decayed = Network(seed=2), Network(seed=2)
    plain.train(X8, Y8, 1000, 10.0)
    decayed.train(X8, Y8, 1000, 10.0, weight_decay=1e-2)
    assert np.linalg.norm(decayed.weights[0]) < np.linalg.norm(plain.weights[0])


def test_minibatch_training_also_learns() -> None:
    net = Network((8, 3, 8), seed=0)
    history = net.train(X8, Y8, epochs=1500, learning_rate=5.0, batch_size=1)
    assert history.accuracy[-1] == 1.0


def test_shapes_of_outputs_and_parameters() -> None:
    net = Network((8, 3, 8))
    assert net.predict(X8).shape == (8, 8)
    assert net.hidden_activations(X8).shape == (8, 3)
    assert [w.shape for w in net.weights] == [(8, 3), (3, 8)]
    assert [b.shape for b in net.biases] == [(3,), (8,)]
    assert "Network((8, 3, 8)" in repr(net)


def test_parameters_name_the_networks_own_arrays() -> None:
    net = Network((5, 4, 3, 2), bias_init="uniform", seed=1)
    parameters = net.parameters()
    assert list(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert [p.shape for p in parameters.values()] == [(5, 4), (4, 3), (3, 2), (4,), (3,), (2,)]
    X = np.random.default_rng(0).random((3, 5))
    before = net.predict(X)
    parameters["b3"] += 1.0  # a view: the network sees the change
    assert np.all(net.predict(X) > before)


def test_shuffled_orders_are_seeded_permutations() -> None:
    orders = Network(seed=3).shuffled_orders(8, 5)
    assert orders.shape == (5, 8)
    np.testing.assert_array_equal(np.sort(orders, axis=1), np.tile(np.arange(8), (5, 1)))
    np.testing.assert_array_equal(orders, Network(seed=3).shuffled_orders(8, 5))
    assert not np.array_equal(orders, Network(seed=4).shuffled_orders(8, 5))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_output_range_holds_its_values(name) -> None:
    activation = ACTIVATIONS[name]
    low, high = activation.output_range
    values = activation.value(np.array([-50.0, -1.0, 0.0, 1.0, 50.0]))
    assert np.all((values >= low) & (values <= high))
    np.testing.assert_allclose(values[[0, -1]], [low, high], atol=1e-12)


@pytest.mark.parametrize("per_network_inputs", [False, True])
def test_stacked_passes_have_the_documented_shapes_and_each_networks_gradients(per_network_inputs) -> None:
    nets = [Network((5, 4, 3), bias_init="uniform", activation="tanh", seed=seed) for seed in range(2)]
    weights = [np.stack(layer) for layer in zip(*(net.weights for net in nets))]
    biases = [np.stack(layer) for layer in zip(*(net.biases for net in nets))]
    X, Y = random_data((5, 4, 3))
    inputs = np.stack([X, X]) if per_network_inputs else X
    activations = _forward(weights, biases, inputs, ACTIVATIONS["tanh"])
    assert [a.shape for a in activations[1:]] == [(2, 6, 4), (2, 6, 3)]
    grads_w, grads_b = _backward(weights, activations, Y, ACTIVATIONS["tanh"], np.array([0.0, 0.1])[:, None, None])
    assert [g.shape for g in grads_w] == [(2, 5, 4), (2, 4, 3)]
    assert [g.shape for g in grads_b] == [(2, 4), (2, 3)]
    for index, (net, decay) in enumerate(zip(nets, [0.0, 0.1])):
        own_w, own_b = net.gradients(X, Y, weight_decay=decay)
        for stacked, own in zip(grads_w + grads_b, own_w + own_b):
            np.testing.assert_allclose(stacked[index], own, rtol=1e-12, atol=1e-15)


def test_history_epoch_counts() -> None:
    history = History(loss=np.array([0.5, 0.1, 0.2, 0.05]), accuracy=np.array([0.5, 1.0, 0.9, 1.0]))
    assert history.epochs_to_accuracy() == 2
    assert history.epochs_to_accuracy(stable=True) == 4
    assert history.epochs_to_loss(0.15) == 2
    assert history.epochs_to_loss(0.15, stable=True) == 4
    assert np.isnan(history.epochs_to_loss(0.01))
    stacked = History(np.array([[0.5, 0.1], [0.5, 0.4]]), np.array([[0.0, 1.0], [0.0, 0.5]]))
    np.testing.assert_array_equal(stacked.epochs_to_accuracy(), [2.0, np.nan])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"init": "he"}, "unknown init 'he'"),
        ({"bias_init": "ones"}, "unknown bias_init 'ones'"),
        ({"activation": "relu6"}, "unknown activation 'relu6'"),
        ({"layer_sizes": (8,)}, "layer_sizes"),
        ({"layer_sizes": (8, 0, 8)}, "layer_sizes"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"seed": 1.5}, "seed must be a whole number >= 0"),
    ],
)
def test_bad_construction_raises(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        Network(**kwargs)


@pytest.mark.parametrize(
    ("X", "Y", "kwargs", "message"),
    [
        (X8[0], Y8, {}, "X must be 2-D"),
        (X8[:, :5], Y8, {}, "X has 5 columns but the network expects 8"),
        (X8, Y8[:, :4], {}, "Y has 4 columns"),
        (X8, Y8[:6], {}, "X has 8 samples but Y has 6"),
        (np.where(np.eye(8) == 1, np.nan, 0), Y8, {}, "X contains NaN or infinite"),
        (X8, np.where(np.eye(8) == 1, np.inf, 0), {}, "Y contains NaN or infinite"),
        (X8, Y8, {"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        (X8, Y8, {"learning_rate": -1.0}, "learning_rate must be a finite number > 0"),
        (X8, Y8, {"learning_rate": float("nan")}, "learning_rate must be a finite number"),
        (X8, Y8, {"weight_decay": -0.1}, "weight_decay must be a finite number >= 0"),
        (X8, Y8, {"learning_rate": "10"}, "learning_rate must be a finite number"),
        (X8, Y8, {"learning_rate": True}, "learning_rate must be a finite number"),
        (X8, Y8, {"epochs": 0}, "epochs must be a whole number >= 1"),
        (X8, Y8, {"batch_size": 9}, "batch_size \\(samples: 8\\) must be a whole number >= 1 and <= 8"),
    ],
)
def test_bad_training_input_raises(X, Y, kwargs, message) -> None:
    arguments = {"epochs": 5, "learning_rate": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        Network().train(X, Y, **arguments)


def test_stacked_rejects_mismatched_networks_and_rate_counts() -> None:
    with pytest.raises(ValueError, match="share layer sizes and activation"):
        train_stacked([Network(), Network(activation="tanh")], X8, Y8, 5, 1.0)
    with pytest.raises(ValueError, match="one value or one per network"):
        train_stacked([Network(), Network()], X8, Y8, 5, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least one network"):
        train_stacked([], X8, Y8, 5, 1.0)


def test_gradient_check_raises_where_the_loss_is_nan() -> None:
    net = Network((4, 3, 4), seed=1)
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        gradient_check(net, *random_data((4, 3, 4)))


def test_gradient_check_raises_where_the_gradient_is_nan() -> None:
    net = Network((4, 3, 4), seed=1)
    backprop = net.gradients

    def nan_gradient(*args, **kwargs):
        grads_w, grads_b = backprop(*args, **kwargs)
        grads_b[1] = np.full_like(grads_b[1], np.nan)
        return grads_w, grads_b

    net.gradients = nan_gradient
    with pytest.raises(ValueError, match="gradient of b2 contains NaN"):
        gradient_check(net, *random_data((4, 3, 4)))


@pytest.mark.parametrize("step", [0.0, -1e-3, float("nan"), float("inf"), True])
def test_gradient_check_rejects_a_bad_step(step) -> None:
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        gradient_check(Network((4, 3, 4)), *random_data((4, 3, 4)), step=step)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": True}, "epochs must be a whole number >= 1"),
        ({"batch_size": True}, "batch_size .* must be a whole number"),
    ],
)
def test_train_stacked_rejects_bools_as_counts(kwargs, message) -> None:
    arguments = {"epochs": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        train_stacked([Network()], X8, Y8, learning_rate=1.0, **arguments)


def test_train_stacked_rejects_the_same_network_twice() -> None:
    net = Network(seed=0)
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError, match="same Network object more than once"):
        train_stacked([net] * 2, X8, Y8, 5, [1.0, 2.0])
    for w, w_before in zip(net.weights, before):
        np.testing.assert_array_equal(w, w_before)


@pytest.mark.parametrize(
    ("sizes", "activation", "weight_decay"),
    [((8, 3, 8), "sigmoid", 0.0), ((5, 7, 4, 3), "tanh", 0.01), ((6, 4), "sigmoid", 0.1)],
)
def test_full_batch_training_takes_the_steps_that_gradients_give(sizes, activation, weight_decay) -> None:
    """The full-batch loop (one product for the first layer of all networks) against W - rate * Network.gradients."""
    X, Y = random_data(sizes, samples=9, seed=2)
    trained = Network(sizes, init="xavier", bias_init="uniform", activation=activation, seed=5)
    stepped = Network(sizes, init="xavier", bias_init="uniform", activation=activation, seed=5)
    history = train_stacked(
        [Network(sizes, activation=activation, seed=6), trained], X, Y, 20, [0.3, 0.7], weight_decay
    )
    for epoch in range(20):
        outputs = stepped.predict(X)
        np.testing.assert_allclose(history.loss[1, epoch], np.mean((outputs - Y) ** 2), rtol=1e-13)
        assert history.accuracy[1, epoch] == np.mean(outputs.argmax(axis=1) == Y.argmax(axis=1))
        grads_w, grads_b = stepped.gradients(X, Y, weight_decay)
        stepped.weights = [w - 0.7 * g for w, g in zip(stepped.weights, grads_w)]
        stepped.biases = [b - 0.7 * g for b, g in zip(stepped.biases, grads_b)]
    for a, b in zip(trained.weights + trained.biases, stepped.weights + stepped.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_log_every_prints_the_mean_loss_and_accuracy(capsys) -> None:
    history = train_stacked([Network(seed=0), Network(seed=1)], X8, Y8, 5, 1.0, log_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["2/5", "4/5", "5/5"]
    assert f"mean loss {history.loss[:, 3].mean():.6f}" in lines[1]
    with pytest.raises(ValueError, match="log_every .* must be a whole number >= 1"):
        train_stacked([Network()], X8, Y8, 5, 1.0, log_every=True)


@pytest.mark.parametrize(
    ("sizes", "activation", "weight_decay", "batch_size"),
    [((8, 3, 8), "sigmoid", 0.0, None), ((5, 7, 4, 3), "tanh", 0.01, None), ((8, 3, 8), "sigmoid", 0.001, 3)],
)
def test_the_readable_network_trains_like_the_stacked_sweep(sizes, activation, weight_decay, batch_size) -> None:
    """Network.train (forward/backward, one network) and train_stacked (the fused loop) take the same steps."""
    X, Y = random_data(sizes, samples=8, seed=3)
    alone = [Network(sizes, bias_init="uniform", activation=activation, seed=seed) for seed in range(3)]
    stacked = [Network(sizes, bias_init="uniform", activation=activation, seed=seed) for seed in range(3)]
    histories = [net.train(X, Y, 400, 2.0, weight_decay, batch_size) for net in alone]
    together = train_stacked(stacked, X, Y, 400, 2.0, weight_decay, batch_size)
    for index, (net, twin) in enumerate(zip(alone, stacked)):
        # OpenBLAS kernels round apart: about 1e-10 relative after 400 tanh epochs (Haswell)
        for own, theirs in zip(net.weights + net.biases, twin.weights + twin.biases):
            np.testing.assert_allclose(own, theirs, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(histories[index].loss, together.loss[index], rtol=1e-7)
        np.testing.assert_array_equal(histories[index].accuracy, together.accuracy[index])


@pytest.mark.parametrize("stacked", [False, True])
def test_a_diverged_network_has_nan_accuracy_and_a_clear_warning(stacked) -> None:
    """learning_rate * weight_decay > 2 makes the weights grow without bound: NaN accuracy, never 1/8, never solved."""
    net = Network(seed=0)
    with pytest.warns(RuntimeWarning, match="training diverged"):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*encountered in.*")  # no NumPy warning from inside
            if stacked:
                history = train_stacked([net], X8, Y8, 2000, 50.0, weight_decay=0.05)[0]
            else:
                history = net.train(X8, Y8, 2000, 50.0, weight_decay=0.05)
    assert np.isnan(history.loss[-1]) and np.isnan(history.accuracy[-1])
    assert np.isnan(history.epochs_to_accuracy(stable=True))


def test_loss_gradients_and_the_check_refuse_a_bad_weight_decay_or_step() -> None:
    net = Network(seed=0)
    for decay in (float("nan"), -0.1, "0.1"):
        with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0"):
            net.loss(X8, Y8, decay)
        with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0"):
            net.gradients(X8, Y8, decay)
    for step in (1e10, 1e-300):
        with pytest.raises(ValueError, match="between 1e-8 and 0.1"):
            gradient_check(net, X8, Y8, step=step)
