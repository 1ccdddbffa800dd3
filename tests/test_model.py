import pytest
import torch

from gridcore.net.model import (
    CORES,
    GridCellNetwork,
    SlicedLinear,
    sinusoidal_positions,
    slice_mask,
)


@pytest.mark.parametrize("core", CORES)
def test_shapes(core):
    net = GridCellNetwork(core=core)
    out = net(torch.randn(4, 9, 3), torch.rand(4, 268))
    assert out.place_logits.shape == (4, 9, 256)
    assert out.hd_logits.shape == (4, 9, 12)
    assert out.bottleneck.shape == (4, 9, 256)
    # The attention core is n_hidden / 2 wide (see its parameter count below).
    assert out.hidden.shape == (4, 9, 64 if core == "attention" else 128)


def test_the_relu_rnn_is_a_relu_rnn_and_rnn_stays_tanh():
    relu, tanh = GridCellNetwork(core="rnn_relu"), GridCellNetwork(core="rnn")
    assert relu.core.nonlinearity == "relu" and tanh.core.nonlinearity == "tanh"
    hidden = relu(torch.randn(3, 7, 3), torch.rand(3, 268)).hidden
    assert (hidden >= 0).all() and (hidden > 0).any()


def test_attention_is_causal():
    """The output at step t depends on the initial code and the velocities up to t only."""
    torch.manual_seed(0)
    net = GridCellNetwork(core="attention", n_place=16, n_hd=4, n_hidden=32).eval()
    v, code = torch.randn(3, 12, 3), torch.rand(3, 20)
    out = net(v, code).hidden
    for t in (0, 5, 10):
        later = v.clone()
        later[:, t + 1 :] = torch.randn_like(later[:, t + 1 :])
        changed = net(later, code).hidden
        torch.testing.assert_close(changed[:, : t + 1], out[:, : t + 1], rtol=0, atol=1e-6)
        assert not torch.allclose(changed[:, t + 1 :], out[:, t + 1 :])
    # ...and on the code: the first token carries the start.
    assert not torch.allclose(net(v, torch.rand(3, 20)).hidden[:, 0], out[:, 0])
    # Training mode (no fused inference path) computes the same.
    torch.testing.assert_close(net.train()(v, code).hidden, out, rtol=1e-5, atol=1e-5)


def test_attention_runs_on_15_s_paths():
    """750 steps (the path-integration test) with a core trained on 100: no length limit."""
    net = GridCellNetwork(core="attention", n_hidden=32).eval()
    with torch.no_grad():
        out = net(torch.randn(2, 750, 3), torch.rand(2, 268))
    assert out.place_logits.shape == (2, 750, 256) and torch.isfinite(out.bottleneck).all()
    pe = sinusoidal_positions(751, 16)
    assert pe.shape == (751, 16) and len(set(map(tuple, pe.tolist()))) == 751  # all distinct


@pytest.mark.parametrize("n_hidden", [64, 128, 256])
def test_attention_core_has_about_the_lstms_parameter_count(n_hidden):
    def core_params(core):
        net = GridCellNetwork(core=core, n_hidden=n_hidden)
        return sum(p.numel() for p in net.core.parameters())

    assert core_params("attention") == pytest.approx(core_params("lstm"), rel=0.05)


def test_attention_needs_a_width_the_heads_divide():
    with pytest.raises(ValueError, match="multiple of 8"):
        GridCellNetwork(core="attention", n_hidden=36)


def test_without_head_direction_cells():
    net = GridCellNetwork(use_hd=False)
    assert net.init_h.in_features == net.init_c.in_features == 256
    assert net.hd_head is None and net.output_weights() == [net.place_head.weight]
    out = net(torch.randn(2, 5, 3), torch.rand(2, 256))
    assert out.hd_logits is None and out.place_logits.shape == (2, 5, 256)


def test_allocentric_input_is_two_numbers_per_step():
    net = GridCellNetwork(velocity_input="allocentric")
    assert net.core.input_size == 2
    assert net(torch.randn(2, 5, 2), torch.rand(2, 268)).hidden.shape == (2, 5, 128)
    att = GridCellNetwork(core="attention", velocity_input="allocentric")
    assert att.core.input_proj.in_features == 2
    with pytest.raises(ValueError, match="velocity_input"):
        GridCellNetwork(velocity_input="cartesian")


def test_architecture_details():
    net = GridCellNetwork()
    assert net.bottleneck.bias is None
    h = 128
    forget = net.core.bias_ih_l0[h : 2 * h] + net.core.bias_hh_l0[h : 2 * h]
    torch.testing.assert_close(forget, torch.ones(h))
    assert net.init_h.in_features == 268 and net.init_c.out_features == 128
    assert net.init_h.bias is not None


def test_initial_state_comes_from_code():
    torch.manual_seed(0)
    net = GridCellNetwork().eval()
    v = torch.randn(2, 5, 3)
    a = net(v, torch.rand(2, 268)).bottleneck
    b = net(v, torch.rand(2, 268)).bottleneck
    assert not torch.allclose(a, b)


def test_dropout_only_in_training_unless_deepmind():
    torch.manual_seed(0)
    v, code = torch.randn(2, 5, 3), torch.rand(2, 268)
    net = GridCellNetwork().eval()
    a, b = net(v, code), net(v, code)
    torch.testing.assert_close(a.place_logits, b.place_logits)
    net.train()
    c, d = net(v, code), net(v, code)
    assert not torch.allclose(c.place_logits, d.place_logits)
    # The bottleneck itself is read before dropout.
    torch.testing.assert_close(c.bottleneck, a.bottleneck)
    dm = GridCellNetwork(eval_dropout=True).eval()
    assert not torch.allclose(dm(v, code).place_logits, dm(v, code).place_logits)


def test_dropout_keeps_expectation():
    from gridcore.net.model import dropout

    torch.manual_seed(0)
    x = torch.ones(200_000)
    y = dropout(x, 0.5)
    assert set(y.unique().tolist()) == {0.0, 2.0}
    assert abs(y.mean().item() - 1) < 0.01


def test_bad_core():
    with pytest.raises(ValueError, match="core"):
        GridCellNetwork(core="transformer")


def test_parameter_table_counts_every_weight():
    from gridcore.net.model import parameter_table

    net = GridCellNetwork()
    rows = {r["layer"]: r for r in parameter_table(net)}
    assert sum(r["parameters"] for r in rows.values()) == sum(p.numel() for p in net.parameters())
    assert rows["bottleneck"]["shapes"] == {"weight": (256, 128)}  # no bias
    assert rows["init_h"]["parameters"] == 268 * 128 + 128
    assert rows["core"]["shapes"]["weight_hh_l0"] == (4 * 128, 128)


def test_a_sliced_read_out_gives_each_ensemble_its_own_slice_of_the_bottleneck():
    torch.manual_seed(0)
    net = GridCellNetwork(n_place=12, n_bottleneck=8, place_blocks=[6, 6]).eval()
    head = net.place_head
    assert isinstance(head, SlicedLinear) and head.mask.shape == (12, 8)
    assert "place_head.mask" not in net.state_dict()  # checkpoints hold the weights alone
    g = torch.randn(3, 8, requires_grad=True)
    head(g)[:, :6].sum().backward()
    assert torch.all(g.grad[:, 4:] == 0) and torch.all(g.grad[:, :4] != 0)
    # Within its slice each block starts as nn.Linear would for a fan-in of 4.
    assert head.weight[:6, :4].abs().max() <= 0.5 and head.weight[:6, :4].abs().max() > 0.35
    assert torch.all(head.weight[:6, 4:] == 0) and torch.all(head.weight[6:, :4] == 0)
    with pytest.raises(ValueError, match="cannot be cut into 3 equal slices"):
        slice_mask(8, [4, 4, 4])
    with pytest.raises(ValueError, match="do not sum"):
        GridCellNetwork(n_place=12, place_blocks=[6, 7])
