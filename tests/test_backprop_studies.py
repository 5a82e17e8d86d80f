"""Tests of the sweep helpers behind notebook 01 (coursework.backprop.studies).

What they assert holds on every CPU: ties and divergences are compared with tolerances justified by measurement,
never bit for bit, because BLAS kernels may round the columns of one matrix product differently.
"""

import numpy as np
import pandas as pd
import pytest
from helpers import tie_study

from coursework.backprop import History, Network, encoder_dataset
from coursework.backprop.studies import (
    TIE_BROKEN,
    Sweep,
    decay_table,
    decoded_with_margin,
    decoding_table,
    epoch_table,
    epochs_at,
    epochs_to_rounded,
    failing_seeds,
    gradient_check_table,
    hidden_code,
    hidden_codes,
    median_interval,
    parameter_distance,
    prediction_table,
    rate_comparison,
    round_epochs,
    shared_code_gaps,
    sign_test,
    spaced,
    start_grid,
    stopping_rules,
    summarise,
    sweep,
    tie_breaking_study,
    tie_outcome,
    unit_spread,
    wilson_interval,
    with_rounded,
)

X8, Y8 = encoder_dataset(8)


def tied_network(seed: int = 0) -> Network:
    """A network whose three hidden units have identical random incoming weights, bias and outgoing weights."""
    net = Network((8, 3, 8), seed=seed)
    net.weights[0] = np.repeat(net.weights[0][:, :1], 3, axis=1)
    net.biases[0] = np.full(3, net.biases[0][0] + 0.3)
    net.weights[1] = np.repeat(net.weights[1][:1], 3, axis=0)
    return net


def test_gradients_of_tied_units_are_tied() -> None:
    # The symmetry argument of notebook 01, one gradient evaluation from a random tied state. Round-off may differ
    # between the columns (different BLAS code paths), so the tolerance is a few units in the last place.
    grads_w, grads_b = tied_network().gradients(X8, Y8)
    np.testing.assert_allclose(grads_w[0], np.repeat(grads_w[0][:, :1], 3, axis=1), rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(grads_b[0], np.full(3, grads_b[0][0]), rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(grads_w[1], np.repeat(grads_w[1][:1], 3, axis=0), rtol=1e-13, atol=1e-17)


def test_zero_init_stays_tied_to_round_off_and_does_not_learn() -> None:
    # Measured over 500 epochs at this rate: spread exactly 0.0 on kernels that round the columns alike, at most
    # 4.5e-15 on OpenBLAS' Haswell/Zen kernels, where the difference grows from 3e-17 at epoch 2. 1e-12 leaves a
    # margin of 200x while still catching any real asymmetry (a broken backward pass, a random draw), which is O(1).
    net = Network((8, 3, 8), init="zeros", bias_init="zeros", seed=0)
    history = net.train(X8, Y8, epochs=500, learning_rate=10.0)
    assert unit_spread(net) < 1e-12
    assert history.accuracy[-1] < 1.0


def test_unit_spread_is_zero_for_tied_units_and_sees_any_difference() -> None:
    net = tied_network()
    assert unit_spread(net) == 0.0
    net.weights[1][2, 5] += 1e-9
    assert unit_spread(net) == pytest.approx(1e-9, rel=1e-6)


def test_a_small_asymmetry_grows_until_the_network_learns() -> None:
    ties = tie_breaking_study(X8, Y8, [0.0, 1e-6], epochs=5000, learning_rate=10.0)
    spread_start, spread_end = ties.spread[1, 0], ties.spread[1, -1]
    assert spread_start < 1e-5 < TIE_BROKEN < spread_end
    assert ties.table.final_accuracy.iloc[1] == 1.0
    assert not ties.table.epochs_to_tie_broken.isna().iloc[1]
    assert ties.table.distinct_input_rows.iloc[1] == 8  # its inputs untied as well
    assert ties.table.distinct_codes.iloc[1] == ties.table.decoded_with_margin.iloc[1] == 8
    assert ties.spread[0, :500].max() < 1e-12  # the exact tie, as above


def test_decoded_with_margin_does_not_count_argmax_ties() -> None:
    net = Network((8, 3, 8), init="zeros", bias_init="zeros")  # every output 0.5: argmax picks output 0 for all
    assert (net.predict(X8).argmax(axis=1) == 0).all() and decoded_with_margin(net, X8) == 0
    net.biases[1][3] = 1e-3
    assert decoded_with_margin(net, X8) == 1


def test_parameter_distance_is_the_largest_change_in_any_weight_or_bias() -> None:
    net, other = Network((8, 3, 8), seed=1), Network((8, 3, 8), seed=1)
    assert parameter_distance(net, other) == 0.0
    other.biases[1][2] += 0.25
    other.weights[0][0, 0] -= 0.5
    assert parameter_distance(net, other) == 0.5


def test_gradient_check_table_has_one_small_error_per_combination() -> None:
    table = gradient_check_table([(4, 2, 4), (3, 2, 2, 1)], activations=["tanh"], weight_decays=[0.0, 0.5], samples=3)
    assert list(table.columns) == ["layers", "activation", "weight_decay", "max_relative_error"]
    assert table.layers.tolist() == ["4-2-4", "4-2-4", "3-2-2-1", "3-2-2-1"]
    assert table.weight_decay.tolist() == [0.0, 0.5, 0.0, 0.5]
    assert (table.max_relative_error < 1e-7).all()


def test_gradient_check_table_catches_a_backward_pass_given_to_it() -> None:
    def without_hidden_derivative(weights, activations, Y, f, weight_decay):
        (W1, W2), (a0, a1, a2) = weights, activations
        delta2 = (2.0 / Y.size) * (a2 - Y) * f.derivative_from_output(a2)
        delta1 = delta2.dot(W2.T)  # the factor f'(a_1) left out
        return [a0.T.dot(delta1) + weight_decay * W1, a1.T.dot(delta2) + weight_decay * W2], [
            delta1.sum(axis=0),
            delta2.sum(axis=0),
        ]

    table = gradient_check_table([(4, 2, 4)], samples=3, step=1e-4, backward=without_hidden_derivative)
    assert len(table) == 4
    assert (table.max_relative_error > 1e-3).all()


def test_prediction_table_writes_inputs_and_rounded_outputs_as_digits() -> None:
    net = Network((3, 2, 3), init="zeros", bias_init="zeros")
    net.biases[1][:] = [5.0, -5.0, 0.1]  # outputs sigmoid(b2) for every input: about 0.99, 0.01, 0.52
    table = prediction_table(net, np.eye(3))
    assert list(table.columns) == ["input", "output (rounded)", "largest output"]
    assert table.input.tolist() == ["100", "010", "001"]
    assert table["output (rounded)"].tolist() == ["101"] * 3
    assert table["largest output"].tolist() == [0.99] * 3


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (95.0, "95"),
        (132.5, "132.5"),
        (110.25, "110.5"),
        (110.2, "110"),
        (8683.75, "8684"),
        (1e4, "10000"),
        (np.nan, "never"),
    ],
)
def test_round_epochs_to_the_nearest_half(value, text) -> None:
    assert round_epochs(value) == text


@pytest.mark.parametrize(("activation", "low", "high"), [("sigmoid", 0.0, 1.0), ("tanh", -1.0, 1.0)])
def test_hidden_code_reads_bits_against_the_activations_range(activation, low, high) -> None:
    net = Network((2, 2, 2), init="zeros", bias_init="zeros", activation=activation)
    net.weights[0][:] = [[10.0, 0.0], [0.0, -10.0]]
    bits, distance = hidden_code(net, np.eye(2))
    np.testing.assert_array_equal(bits, [[1, 0], [0, 0]])  # the zero pre-activation is "off" (not above the middle)
    assert distance == pytest.approx((high - low) / 2)  # from the unit that sits exactly in the middle


def test_tie_outcome_reports_what_round_off_did_as_facts() -> None:
    held = tie_outcome(tie_study(np.zeros(10), np.nan, np.nan))
    assert held.held_exactly and held.epochs == 10 and held.first_difference == 0.0
    assert np.isnan(held.first_difference_epoch) and np.isnan(held.epochs_to_100) and held.final_accuracy == 0.5
    assert (held.distinct_input_rows, held.distinct_codes, held.decoded_with_margin) == (5, 4, 1)
    small = tie_outcome(tie_study(np.array([0.0, 0.0, 3e-17, 1e-16]), np.nan, np.nan))
    assert not small.held_exactly
    assert (small.first_difference_epoch, small.first_difference) == (3.0, 3e-17)
    assert np.isnan(small.epochs_to_tie_broken)
    escaped = tie_outcome(tie_study(np.array([0.0, 1e-16, 1e-2, 1.0]), 3.0, 4.0))
    assert (escaped.epochs_to_tie_broken, escaped.epochs_to_100) == (3.0, 4.0)
    nudged = tie_study(np.zeros(3), np.nan, np.nan)
    nudged.table["asymmetry"] = 1e-6
    with pytest.raises(ValueError, match="include asymmetry 0.0"):
        tie_outcome(nudged)


def test_hidden_codes_count_codes_and_check_the_output_signs() -> None:
    net = Network((8, 3, 8), init="zeros", bias_init="zeros")
    codes = np.array([[int(bit) for bit in f"{index:03b}"] for index in range(8)])
    net.weights[0][:] = 20.0 * (2 * codes - 1)
    net.weights[1][:] = (2 * codes - 1).T
    table = hidden_codes([net], X8)
    assert table.distinct_codes.tolist() == [8] and table.signs_match.tolist() == [True]
    assert table.distance[0] < 1e-8
    net.weights[1][0, 0] *= -1
    assert hidden_codes([net], X8).signs_match.tolist() == [False]


def test_decoding_table_splits_each_own_output_into_weights_and_bias() -> None:
    net = Network((8, 3, 8), init="zeros", bias_init="zeros")
    codes = np.array([[int(bit) for bit in f"{index:03b}"] for index in range(8)])
    net.weights[0][:] = 20.0 * (2 * codes - 1)
    net.weights[1][:] = 4.0 * (2 * codes - 1).T
    net.biases[1][:] = 2.0 - 4.0 * codes.sum(axis=1)  # z = 2 for the own code, at most -2 for the others
    table = decoding_table(net, X8)
    assert table.code.tolist() == [f"{index:03b}" for index in range(8)]
    np.testing.assert_allclose(table["a W"] + table.b, table.z)
    np.testing.assert_allclose(table.z, net.forward(X8)[-2].dot(net.weights[1])[range(8), range(8)] + net.biases[1])
    assert abs(table["a W"][0]) < 1e-6 and table.b[0] == 2.0  # the code 000 is decoded by its bias alone
    assert (table.z > table["largest other z"]).all()
    net.biases[1][1] = -30.0
    broken = decoding_table(net, X8)
    assert (broken.z > broken["largest other z"]).tolist() == [True, False, *[True] * 6]


def test_summarise_counts_rounded_right_at_the_end_and_lost_on_the_way() -> None:
    table = pd.DataFrame(
        {
            "rate": [1, 1, 1],
            "final_accuracy": 1.0,
            "epochs_to_100": 2.0,
            "epochs_to_stable_100": 2.0,
            "epochs_to_loss": np.nan,
            "final_loss": 0.1,
            "rounded_first": [3.0, 4.0, 5.0],
            "rounded_stays": [3.0, 9.0, np.nan],  # the second lost it and regained it, the third lost it for good
        }
    )
    summary = summarise(table, "rate")
    row = summary.loc[1]
    assert (row.rounded, row.rounded_lost, row.median_epochs_to_rounded) == (2, 2, 4.0)
    assert row.median_epochs_solved_for_good == 6.0  # of the two that end rounded right: 3 and 9
    assert epoch_table(summary).loc[1].tolist() == ["2/3", "6 (4.5-7.5)", 2, "never", "3/3"]


def test_summarise_counts_the_epoch_from_which_every_network_stays_at_100() -> None:
    table = pd.DataFrame(
        {
            "rate": [1, 1, 2, 2],
            "final_accuracy": [1.0, 1.0, 1.0, 0.5],
            "epochs_to_100": [3.0, 5.0, 2.0, 2.0],
            "epochs_to_stable_100": [3.0, 8.0, 2.0, np.nan],
            "epochs_to_loss": np.nan,
            "final_loss": 0.1,
        }
    )
    summary = summarise(table, "rate")
    assert summary.all_stable_epoch[1] == 8.0 and np.isnan(summary.all_stable_epoch[2])
    assert summary.solved.tolist() == [2, 1]


def test_stopping_rules_report_what_each_rule_returns() -> None:
    accuracy = np.array([[0, 1, 0, 1, 1, 1.0], [0, 0, 1, 1, 1, 1.0]])
    loss = np.array([[0.5, 0.4, 0.3, 0.2, 0.001, 0.001], [0.5, 0.4, 0.3, 0.2, 0.1, 0.1]])
    table = pd.DataFrame(
        {
            "init": "uniform",
            "bias_init": "zeros",
            "activation": "sigmoid",
            "learning_rate": 1.0,
            "weight_decay": 0.0,
            "seed": [0, 1],
            "epochs_to_100": [2.0, 3.0],
            "epochs_to_stable_100": [4.0, 3.0],
            "rounded_first": [5.0, np.nan],
            "rounded_stays": [5.0, np.nan],
        }
    )
    study = Sweep(table, History(loss, accuracy), [Network((8, 3, 8), seed=seed) for seed in range(2)])
    rules = stopping_rules(study, [0, 1], X8, Y8, limit=6)
    assert rules["100 % at stop"].tolist() == [2, 2, 2, 2]
    assert rules["median stop"].tolist() == [2.5, 5.0, 5.5, 5.5]  # the second never solved: stopped at the limit
    assert rules["solved at stop"].tolist() == [0, 0, 0, 0]  # a few epochs at rate 1 give no 1 above 0.5


def test_stopping_rules_count_the_networks_whose_rounded_outputs_are_the_input() -> None:
    study = with_rounded(sweep(X8, Y8, epochs=1500, learning_rates=[50.0], seeds=range(3)), X8, Y8)
    rules = stopping_rules(study, [0, 1, 2], X8, Y8, limit=1500)
    # a loss below 0.25 / 64 leaves no output 0.5 or more off: (0.5 ** 2) / 64 outputs alone reaches it
    assert rules.loc["loss below 0.25/64", "solved at stop"] == 3
    assert rules.loc["first solved", "solved at stop"] == 3


def test_epochs_to_rounded_matches_a_check_of_every_epoch() -> None:
    study = sweep(X8, Y8, epochs=600, learning_rates=[50.0], seeds=range(3))
    found = epochs_to_rounded(study, [0, 1, 2], X8, Y8)
    for row in range(3):
        network, right = Network((8, 3, 8), seed=row), []
        for _ in range(600):
            right.append(np.array_equal(network.predict(X8) > 0.5, Y8 > 0.5))
            network.train(X8, Y8, 1, 50.0)
        right = np.array(right)
        stays = np.flip(np.logical_and.accumulate(np.flip(right)))
        assert found.loc[row, "first"] == np.argmax(right) + 1
        assert found.loc[row, "stays"] == np.argmax(stays) + 1
    assert found["first"].notna().all()  # rate 50 gets every output right within 600 epochs
    assert with_rounded(study, X8, Y8).table.rounded_stays.tolist() == found.stays.tolist()


def test_sign_test_counts_untied_pairs_and_gives_the_exact_binomial_p_value() -> None:
    assert sign_test([1, 2, 3, 4], [2, 3, 4, 4]) == (3, 3, 0.25)  # a tie dropped; 2 * (1/2)^3
    smaller, untied, p = sign_test(range(30), [x + (1 if x < 27 else -1) for x in range(30)])
    assert (smaller, untied) == (27, 30) and p == pytest.approx(8.4e-6, rel=0.05)  # 27 of 30, as for rates 100 vs 50
    assert sign_test([5, 5], [5, 5]) == (0, 0, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        sign_test([1.0, np.nan], [2.0, 3.0])


def test_median_interval_is_seeded_and_holds_the_median() -> None:
    values = np.random.default_rng(2).exponential(200, 60)
    low, high = median_interval(values)
    assert low < np.median(values) < high and (low, high) == median_interval(values)
    assert median_interval(np.full(10, 7.0)) == (7.0, 7.0)


def test_wilson_interval_of_all_and_none() -> None:
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and low == pytest.approx(0.839, abs=1e-3)
    assert wilson_interval(0, 20)[0] == 0.0
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)


def rate_sweep(rates: dict[float, tuple[list[float], list[float]]], seeds: range) -> Sweep:
    """A sweep table without networks: per rate, each seed's first solved epoch and the epoch it stays solved from."""
    rows = [
        (rate, seed, first, stays)
        for rate, (firsts, stayed) in rates.items()
        for seed, first, stays in zip(seeds, firsts, stayed)
    ]
    table = pd.DataFrame(rows, columns=["learning_rate", "seed", "rounded_first", "rounded_stays"])
    solved = table.rounded_stays.notna()
    table = table.assign(
        final_accuracy=solved.astype(float),
        epochs_to_100=table.rounded_first,
        epochs_to_stable_100=table.rounded_stays,
        epochs_to_loss=table.rounded_stays,
        final_loss=0.01,
    )
    return Sweep(table, History(np.zeros((len(table), 1)), np.zeros((len(table), 1))), [])


def test_rate_comparison_counts_sooner_seeds_and_seeds_that_do_not_stay_solved() -> None:
    slow = [100.0] * 6
    first = rate_sweep({1: (slow, slow), 2: ([50.0] * 6, [50, 50, 80, 50, 50, np.nan])}, range(6))
    second = rate_sweep({1: (slow, slow), 2: ([200.0] * 6, [200.0] * 6)}, range(6, 12))
    assert epochs_at(first, 2).index.tolist() == list(range(6))
    row = rate_comparison([first, second], 1, [2]).loc[2]
    assert (row.sooner, row.untied) == (5, 12)  # solved for good: seed 5 never is, so it counts as later
    assert row["sign p"] == pytest.approx(sign_test([1] * 5 + [3] * 7, [2] * 12)[2])
    assert row["failing seeds"] == failing_seeds([first, second], 2) == [2, 5]
    assert row["fail p"] == pytest.approx(0.5)  # McNemar: 2 seeds fail only at rate 2, none only at rate 1


def test_start_grid_gives_converged_share_and_median_per_start() -> None:
    names = ["zeros", "uniform"]
    index = pd.MultiIndex.from_product([names, names], names=["init", "bias_init"])
    summary = pd.DataFrame(
        {"rounded": [4, 3, 4, 4], "networks": 4, "median_epochs_solved_for_good": [300.0, 310, 130, 150]}
    )
    grid = start_grid(summary.set_index(index), names)
    assert grid.loc["zeros", "uniform"] == "3/4 (310)" and grid.loc["uniform", "zeros"] == "4/4 (130)"


def test_shared_code_gaps_only_for_networks_with_a_shared_code() -> None:
    distinct = Network((8, 3, 8), seed=0)
    distinct.weights[0] = 20 * (np.array([[int(b) for b in f"{i:03b}"] for i in range(8)]) - 0.5)
    distinct.biases[0] = np.zeros(3)
    shared = Network((8, 3, 8), seed=0)
    shared.weights[0] = distinct.weights[0].copy()
    shared.weights[0][1] = [-10.0, -10.0, 0.7]  # input 1: code 001 as input 1 had, but one unit at about 0.67
    shared.weights[0][0] = [-10.0, -10.0, 3.0]  # input 0 now also codes 001
    gaps = shared_code_gaps([distinct, shared], X8)
    assert len(gaps) == 1 and gaps[0] == pytest.approx(1 / (1 + np.exp(-3)) - 1 / (1 + np.exp(-0.7)), abs=1e-4)


def test_decay_table_shrinks_weights_with_decay() -> None:
    study = with_rounded(
        sweep(X8, Y8, epochs=300, learning_rates=[20.0], weight_decays=[0.0, 1e-2], seeds=range(2)), X8, Y8
    )
    table = decay_table(study, summarise(study.table, "weight_decay"))
    assert float(table.loc[1e-2, "largest |w|"]) < float(table.loc[0.0, "largest |w|"])
    assert table.loc[1e-2, "converged"] == "0/2"
    assert table.loc[1e-2, "epochs to converge"] == "-"  # fewer than half converge
    assert table.loc[1e-2, "100 % at end"] == "0/2"


def test_spaced_keeps_three_spaces_between_headers_of_several_words() -> None:
    table = pd.DataFrame({"solved at end": ["1/2"], "first solved": ["3 (2-4)"]}, index=[5])
    assert "solved at end   first solved" in spaced(table).splitlines()[0]
