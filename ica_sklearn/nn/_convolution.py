"""Temporal convolutional network (Bai et al., 2018): dilated causal
convolutions in residual blocks, the sequence layer of the ``"tcn"`` cell.

Each residual block applies two convolutions of kernel size ``k`` and
dilation ``d``, each followed by a ReLU and dropout, and adds its input (through
a 1x1 convolution where the channel counts differ) before a last ReLU.  A
convolution is made causal by padding ``(k - 1) d`` zeros on the left only:
the output at step ``t`` sees the inputs ``t - (k - 1) d, ..., t`` and never a
later one.  One *stack* has blocks of dilations ``1, 2, 4, ..., 2**(levels - 1)``;
``num_stacks`` stacks follow each other.  The output at step ``t`` therefore
depends on the inputs ``t - R + 1 .. t`` with the receptive field::

    R = 1 + 2 (k - 1) num_stacks (2**levels - 1)

(253 steps for the defaults ``k = 3``, ``levels = 6``, one stack).
Because the output at a valid step never sees later steps, end padding
never changes it: padded batches run as they are.
"""

from torch import nn

from ._fast_ops import FastDropout

__all__ = ["TemporalConvNet"]


def _causal_convolution(in_channels, out_channels, kernel_size, dilation):
    """Left zero padding and a dilated ``Conv1d``: (B, C_in, T) -> (B, C_out, T)."""
    return nn.Sequential(
        nn.ConstantPad1d(((kernel_size - 1) * dilation, 0), 0.0),
        nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation),
    )


class _ResidualBlock(nn.Module):
    """Two causal convolutions with ReLU and dropout, plus a residual path."""

    def __init__(self, in_channels, channels, kernel_size, dilation, dropout):
        super().__init__()
        # Separate activation modules, so attribution rules (DeepLift) see each use.
        self.convolutions = nn.Sequential(
            _causal_convolution(in_channels, channels, kernel_size, dilation),
            nn.ReLU(),
            FastDropout(dropout),
            _causal_convolution(channels, channels, kernel_size, dilation),
            nn.ReLU(),
            FastDropout(dropout),
        )
        self.residual = (
            nn.Identity() if in_channels == channels else nn.Conv1d(in_channels, channels, 1)
        )
        self.activation = nn.ReLU()

    def forward(self, inputs):
        return self.activation(self.convolutions(inputs) + self.residual(inputs))


class TemporalConvNet(nn.Module):
    """Dilated causal convolutions in residual blocks (Bai et al., 2018).

    Maps a (batch, n_timesteps, input_size) sequence to (batch, n_timesteps,
    channels) outputs; the output at step ``t`` depends on the inputs of the
    :attr:`receptive_field` steps up to ``t`` only (causal).

    Parameters
    ----------
    input_size : int
        Features per time step.
    channels : int
        Channels of every convolution (the ``hidden_size`` of the classifier).
    num_stacks : int, default=1
        Stacks of blocks with dilations ``1, 2, ..., 2**(levels - 1)`` (the
        classifier's ``num_layers``).
    kernel_size : int, default=3
    levels : int, default=6
        Residual blocks per stack.
    dropout : float, default=0.0
        Dropout after each convolution's ReLU.

    Attributes
    ----------
    receptive_field : int
        ``1 + 2 (kernel_size - 1) num_stacks (2**levels - 1)``: the number of
        steps, the current one included, that an output depends on.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import TemporalConvNet
    >>> tcn = TemporalConvNet(input_size=4, channels=8)
    >>> tcn(torch.randn(2, 30, 4)).shape
    torch.Size([2, 30, 8])
    >>> tcn.receptive_field
    253
    """

    def __init__(self, input_size, channels, num_stacks=1, kernel_size=3, levels=6, dropout=0.0):
        super().__init__()
        dilations = [2**level for level in range(levels)] * num_stacks
        in_channels = [input_size] + [channels] * (len(dilations) - 1)
        self.blocks = nn.Sequential(
            *(
                _ResidualBlock(block_input, channels, kernel_size, dilation, dropout)
                for block_input, dilation in zip(in_channels, dilations)
            )
        )
        self.receptive_field = 1 + 2 * (kernel_size - 1) * sum(dilations)

    def forward(self, inputs, valid=None):
        """Outputs (B, T, channels) of inputs (B, T, input_size).

        ``valid`` (the (B, T) mask of valid steps) is accepted for the
        interface of the sequence layers and not needed: the network is
        causal, so end padding never reaches a valid step.
        """
        return self.blocks(inputs.transpose(1, 2)).transpose(1, 2)
