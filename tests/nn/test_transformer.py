"""The transformer encoder: torch's encoder layer in values, masks that keep
padding and (when causal) the future out, the positional encoding."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from ica_sklearn.nn import TransformerSequenceEncoder, attention_heads, sinusoidal_positions


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("d_model", [8, 6, 5])  # 4, 2 and 1 heads
def test_each_layer_equals_torchs_pre_norm_encoder_layer(causal, d_model):
    torch.manual_seed(0)
    encoder = TransformerSequenceEncoder(3, d_model, num_layers=2, causal=causal).double().eval()
    assert encoder.n_heads == attention_heads(d_model)
    x = torch.randn(3, 7, 3, dtype=torch.float64)
    lengths = torch.tensor([7, 4, 1])
    valid = torch.arange(7)[None, :] < lengths[:, None]
    hidden = encoder.projection(x) + sinusoidal_positions(7, d_model, dtype=torch.float64)
    mask = None
    if causal:
        mask = nn.Transformer.generate_square_subsequent_mask(7, dtype=torch.float64)
    # float padding mask: the same type as the causal mask
    padding_mask = torch.zeros(3, 7, dtype=torch.float64).masked_fill(~valid, -math.inf)
    for layer in encoder.layers:
        reference = nn.TransformerEncoderLayer(
            d_model, encoder.n_heads, 4 * d_model, dropout=0.0, batch_first=True, norm_first=True
        ).double().eval()
        reference.load_state_dict(layer.state_dict())
        with torch.no_grad():
            hidden = reference(hidden, src_mask=mask, src_key_padding_mask=padding_mask)
    expected = encoder.norm(hidden)
    got = encoder(x, valid)
    np.testing.assert_allclose(
        got[valid].detach().numpy(), expected[valid].detach().numpy(), rtol=0, atol=1e-12
    )


def test_positional_encoding_is_vaswanis():
    encoding = sinusoidal_positions(50, 7, dtype=torch.float64).numpy()
    t = np.arange(50)[:, None]
    for i in range(7):
        angle = t[:, 0] / 10000 ** (2 * (i // 2) / 7)
        expected = np.sin(angle) if i % 2 == 0 else np.cos(angle)
        np.testing.assert_allclose(encoding[:, i], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype, tolerance", [(torch.float32, 1e-5), (torch.float64, 1e-10)])
@pytest.mark.parametrize("causal", [True, False])
def test_padded_steps_are_masked_out(dtype, tolerance, causal):
    # Multi-head (8 channels, 4 heads) and two layers; padding holds large values.
    torch.manual_seed(2)
    encoder = TransformerSequenceEncoder(3, 8, num_layers=2, causal=causal).to(dtype).eval()
    short = torch.randn(1, 5, 3, dtype=dtype)
    padded = torch.cat([short, 1e3 * torch.randn(1, 6, 3, dtype=dtype)], dim=1)
    batch = torch.cat([padded, torch.randn(1, 11, 3, dtype=dtype)])
    valid = torch.arange(11)[None, :] < torch.tensor([5, 11])[:, None]
    with torch.no_grad():
        alone = encoder(short)
        inside = encoder(batch, valid)[:1, :5]
    np.testing.assert_allclose(alone.numpy(), inside.numpy(), rtol=0, atol=tolerance)


def test_full_attention_sees_the_future_and_causal_attention_does_not():
    torch.manual_seed(3)
    x = torch.randn(2, 9, 3, dtype=torch.float64, requires_grad=True)
    reach = {}
    for causal in (True, False):
        encoder = TransformerSequenceEncoder(3, 4, causal=causal).double().eval()
        (gradient,) = torch.autograd.grad(encoder(x)[:, 3].sum(), x)
        reach[causal] = gradient.abs().amax(dim=(0, 2))
    assert torch.equal(reach[True][4:], torch.zeros(5, dtype=torch.float64))
    assert (reach[True][:4] > 0).all() and (reach[False] > 0).all()
