import math

import pytest
import torch

from gridcore.net.optim import TF1RMSprop, clip_gradients, l2_penalty, make_optimizer


def test_tf1_rmsprop_matches_hand_computation():
    """Three steps on scalar weights, computed by hand from TF1's update rule."""
    w = torch.nn.Parameter(torch.tensor([0.5, -1.0]))
    opt = TF1RMSprop([w], lr=0.1, decay=0.9, momentum=0.5, eps=1e-10)
    grads = [torch.tensor([2.0, -1.0]), torch.tensor([0.5, 0.0]), torch.tensor([-1.0, 3.0])]
    ms, mom, want = [1.0, 1.0], [0.0, 0.0], [0.5, -1.0]
    for g in grads:
        w.grad = g.clone()
        opt.step()
        for i in range(2):
            ms[i] = 0.9 * ms[i] + 0.1 * g[i].item() ** 2
            mom[i] = 0.5 * mom[i] + 0.1 * g[i].item() / math.sqrt(ms[i] + 1e-10)
            want[i] -= mom[i]
    torch.testing.assert_close(w.detach(), torch.tensor(want))
    # Step one by hand for the first weight: ms = 0.9 + 0.4 = 1.3, step = 0.1 * 2 / sqrt(1.3).
    w2 = torch.nn.Parameter(torch.tensor([0.0]))
    opt2 = TF1RMSprop([w2], lr=0.1, decay=0.9, momentum=0.5)
    w2.grad = torch.tensor([2.0])
    opt2.step()
    assert w2.item() == pytest.approx(-0.2 / math.sqrt(1.3), rel=1e-6)


def test_differs_from_torch_rmsprop_with_tiny_gradients():
    """With clipped 1e-5 gradients TF1's accumulator (starting at 1) gives far smaller steps."""
    a = torch.nn.Parameter(torch.zeros(1))
    b = torch.nn.Parameter(torch.zeros(1))
    tf1 = make_optimizer("tf1_rmsprop", [a], lr=1e-3)
    pt = make_optimizer("torch_rmsprop", [b], lr=1e-3)
    for _ in range(5):
        a.grad = torch.tensor([1e-5])
        b.grad = torch.tensor([1e-5])
        tf1.step()
        pt.step()
    assert abs(a.item()) < 1e-6 < abs(b.item())


def test_clipping_and_l2():
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([1.0, -2e-6, -3.0])
    clip_gradients([p], 1e-5)
    torch.testing.assert_close(p.grad, torch.tensor([1e-5, -2e-6, -1e-5]))
    w = torch.tensor([[1.0, 2.0]])
    assert l2_penalty([w, w], 0.1).item() == pytest.approx(0.1 * 0.5 * 10)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("lbfgs", [torch.nn.Parameter(torch.zeros(1))], 1e-3)


def test_sgd_with_momentum():
    w = torch.nn.Parameter(torch.zeros(1))
    opt = make_optimizer("sgd", [w], lr=0.1, momentum=0.9)
    for _ in range(2):
        w.grad = torch.ones(1)
        opt.step()
    # v1 = 1, v2 = 0.9 + 1: w = -0.1 * (1 + 1.9)
    assert w.item() == pytest.approx(-0.29)


@pytest.mark.parametrize(("grad", "about"), [(1e-5, 7.07), (1e-6, 1.0), (1e-7, 0.1)])
def test_tf1_steady_state_step_depends_on_the_gradient(grad, about):
    """With eps = 1e-10 inside the root, the steady step is lr * 10 * g / sqrt(g^2 + eps):
    about 7.07, 1.0 and 0.1 lr for the three gradients (the optim module's docstring)."""
    from gridcore.net.optim import update_sizes

    lr = 1e-3
    sizes = update_sizes("tf1_rmsprop", torch.full((600, 1), grad), lr)
    ratio = sizes[-1, 0].item() / lr
    assert ratio == pytest.approx(10 * grad / (grad**2 + 1e-10) ** 0.5, rel=1e-3)
    assert ratio == pytest.approx(about, rel=0.01)


def test_update_sizes_show_the_tf1_warm_up_and_gradient_scaling():
    from gridcore.net.optim import update_sizes

    grads = torch.tensor([[1e-5, 1e-7]]).repeat(400, 1)
    tf1 = update_sizes("tf1_rmsprop", grads, lr=1e-4, momentum=0.0)
    pt = update_sizes("torch_rmsprop", grads, lr=1e-4, momentum=0.0)
    assert tf1.shape == (400, 2)
    # TF1: starts near lr * 1e-5; once ms has decayed, eps inside the root keeps small
    # gradients' steps small (1e-7 / sqrt(1e-14 + 1e-10) = 0.01).
    assert tf1[0, 0].item() == pytest.approx(1e-4 * 1e-5 / math.sqrt(0.9 + 1e-11), rel=1e-6)
    assert tf1[-1, 0].item() == pytest.approx(1e-4 / math.sqrt(2), rel=1e-3)
    assert tf1[-1, 1].item() == pytest.approx(1e-4 * 0.01, rel=1e-2)
    # PyTorch: every step about lr, whatever the gradient's size.
    assert pt[-1, 0].item() == pytest.approx(1e-4, rel=1e-3)
    assert pt[-1, 1].item() == pytest.approx(1e-4, rel=1e-2)
    with pytest.raises(ValueError):
        update_sizes("tf1_rmsprop", torch.zeros(3), lr=1e-4)
