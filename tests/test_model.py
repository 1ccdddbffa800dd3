import pytest
import torch

from gridcore.model import GridCellNetwork


@pytest.mark.parametrize("core", ["lstm", "gru", "rnn"])
def test_shapes(core):
    net = GridCellNetwork(core=core)
    out = net(torch.randn(4, 9, 3), torch.rand(4, 268))
    assert out.place_logits.shape == (4, 9, 256)
    assert out.hd_logits.shape == (4, 9, 12)
    assert out.bottleneck.shape == (4, 9, 256)
    assert out.hidden.shape == (4, 9, 128)


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
    from gridcore.model import dropout

    torch.manual_seed(0)
    x = torch.ones(200_000)
    y = dropout(x, 0.5)
    assert set(y.unique().tolist()) == {0.0, 2.0}
    assert abs(y.mean().item() - 1) < 0.01


def test_bad_core():
    with pytest.raises(ValueError, match="core"):
        GridCellNetwork(core="transformer")


def test_parameter_table_counts_every_weight():
    from gridcore.model import parameter_table

    net = GridCellNetwork()
    rows = {r["layer"]: r for r in parameter_table(net)}
    assert sum(r["parameters"] for r in rows.values()) == sum(p.numel() for p in net.parameters())
    assert rows["bottleneck"]["shapes"] == {"weight": (256, 128)}  # no bias
    assert rows["init_h"]["parameters"] == 268 * 128 + 128
    assert rows["core"]["shapes"]["weight_hh_l0"] == (4 * 128, 128)
