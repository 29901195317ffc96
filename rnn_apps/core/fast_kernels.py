"""Recurrences with the input projection outside the loop and a written-out backward pass.

Each kernel takes the whole sequence's input projection ``xw`` (time-major,
bias included), computed before the loop as one large matrix product, and
keeps only the recurrent product inside a ``tf.while_loop``. The gradient is a
second ``tf.while_loop`` running backwards in time with one matrix product per
step; the weight gradient is one large product after it. When ``training`` is
true the forward loop also writes, per step, the local derivatives the
backward loop needs (gate derivatives times the values they multiply), so the
backward loop does only the recurrence; otherwise the forward loop writes only
the outputs and a gradient, if one is asked for, first replays the forward
loop to get them. It is the split that fused recurrent kernels such as
cuDNN's make, written in TensorFlow ops.

``mask`` is ``None`` or a time-major ``(T, B, 1)`` float tensor of 0/1: a
masked step keeps every state (Keras' semantics), for any mask pattern.
Gate orders are Keras': LSTM ``i, f, c, o``; GRU ``z, r, h`` with
``reset_after=True``.
"""

from __future__ import annotations

from collections import Counter

import tensorflow as tf

# How often each kernel was built: once per trace inside a ``tf.function``, once
# per call when eager. Cheap; tests read it to prove the kernels ran.
TRACES: Counter = Counter()


def _loop(steps, body, carry, outputs, backwards=False):
    """``tf.while_loop`` over ``steps`` (last to first when ``backwards``).

    ``body(t, *carry)`` returns ``(new_carry, [per-step tensors])``; ``outputs``
    lists their ``(dtype, element_shape)``. Returns ``(carry, stacked)``, the
    stacked tensors in time order either way.
    """
    arrays = [tf.TensorArray(dtype, size=steps, element_shape=shape) for dtype, shape in outputs]

    def step(t, carry, arrays):
        at = steps - 1 - t if backwards else t
        new_carry, values = body(at, *carry)
        return t + 1, new_carry, [array.write(at, value) for array, value in zip(arrays, values)]

    _, carry, arrays = tf.while_loop(lambda t, *_: t < steps, step,
                                     (tf.constant(0), tuple(carry), arrays),
                                     parallel_iterations=1)
    return carry, [array.stack() for array in arrays]


def _forward_loop(xw, body, states, local_width, save):
    """The forward loop: ``((H, *final states), local or None)``; every step
    writes its hidden state and, when ``save``, ``local_width`` local derivatives."""
    shape = states[0].shape
    outputs = [(xw.dtype, shape)] + ([(xw.dtype, [shape[0], local_width])] if save else [])
    final, stacked = _loop(tf.shape(xw)[0], body, states, outputs)
    return (stacked[0], *final), (stacked[1] if save else None)


def _previous(sequence, first):
    """The sequence shifted one step later in time, ``first`` at step 0."""
    return tf.concat([first[None], sequence[:-1]], axis=0)


def _weight_grad(previous_h, dpre):
    """``sum_t previous_h[t]^T @ dpre[t]`` as one matrix product."""
    return tf.matmul(tf.reshape(previous_h, [-1, tf.shape(previous_h)[-1]]),
                     tf.reshape(dpre, [-1, tf.shape(dpre)[-1]]), transpose_a=True)


def _dense(gradient, like):
    """An output's incoming gradient, zeros where the output was not used."""
    return tf.zeros_like(like) if gradient is None else tf.convert_to_tensor(gradient)


def _carry(mask, new, old):
    return new if mask is None else old + mask * (new - old)


def _with_gradient(forward, backward, inputs, mask, training):
    """Run ``forward(*inputs, mask, save)`` under a custom gradient.

    ``forward`` returns ``(outputs, saved)``; ``backward(inputs, outputs, saved,
    upstream, mask)`` returns the inputs' gradients. ``saved`` comes from the
    forward pass when ``training``, else from a replay when a gradient is asked.
    """

    @tf.custom_gradient
    def run(*tensors):
        outputs, saved = forward(*tensors, mask, training)

        def grad(*upstream):
            upstream = [_dense(g, o) for g, o in zip(upstream, outputs)]
            again = saved if training else forward(*tensors, mask, True)[1]
            return backward(tensors, outputs, again, upstream, mask)

        return outputs, grad

    return run(*inputs)


def lstm(xw, h0, c0, recurrent_kernel, mask=None, training=True):
    """``(H, h_T, c_T)``: every step's hidden state and the final states."""
    TRACES["lstm"] += 1
    return _with_gradient(_lstm_forward, _lstm_backward, (xw, h0, c0, recurrent_kernel),
                          mask, training)


def _lstm_forward(xw, h0, c0, recurrent_kernel, mask, save):
    units = h0.shape[-1]

    def body(t, h, c):
        z = xw[t] + tf.matmul(h, recurrent_kernel)
        i_f, g, o = tf.split(z, [2 * units, units, units], axis=1)
        gates = tf.sigmoid(i_f)
        i, f = tf.split(gates, 2, axis=1)
        g, o = tf.tanh(g), tf.sigmoid(o)
        new_c = f * c + i * g
        tanh_c = tf.tanh(new_c)
        new_h = o * tanh_c
        if mask is not None:
            new_c, new_h = _carry(mask[t], new_c, c), _carry(mask[t], new_h, h)
        if not save:
            return (new_h, new_c), [new_h]
        # d(pre-activation) = [dc, dc, dc, dh] * local, dc += dh * to_cell.
        local = tf.concat([gates * (1 - gates) * tf.concat([g, c], 1), i * (1 - g * g),
                           tanh_c * o * (1 - o), o * (1 - tanh_c * tanh_c)], axis=1)
        if mask is not None:
            local = local * mask[t]
        return (new_h, new_c), [new_h, tf.concat([local, f], axis=1)]

    return _forward_loop(xw, body, (h0, c0), 6 * units, save)


def _lstm_backward(inputs, outputs, local, upstream, mask):
    xw, h0, _, recurrent_kernel = inputs
    hs = outputs[0]
    d_hs, d_h, d_c = upstream
    units = h0.shape[-1]
    transposed = tf.transpose(recurrent_kernel)
    keep = None if mask is None else 1 - mask

    def back(t, dh, dc):
        dh = dh + d_hs[t]
        gate_part, to_cell, f = tf.split(local[t], [4 * units, units, units], axis=1)
        dc_cell = dh * to_cell + (dc if mask is None else dc * mask[t])
        dz = tf.concat([dc_cell, dc_cell, dc_cell, dh], axis=1) * gate_part
        next_dh, next_dc = tf.matmul(dz, transposed), dc_cell * f
        if mask is not None:
            next_dh, next_dc = next_dh + keep[t] * dh, next_dc + keep[t] * dc
        return (next_dh, next_dc), [dz]

    (dh0, dc0), (dzs,) = _loop(tf.shape(xw)[0], back, (d_h, d_c),
                               [(xw.dtype, xw.shape[1:])], backwards=True)
    return [dzs, dh0, dc0, _weight_grad(_previous(hs, h0), dzs)]


def gru(xw, h0, recurrent_kernel, recurrent_bias, mask=None, training=True):
    """``(H, h_T)`` for a GRU with ``reset_after=True``."""
    TRACES["gru"] += 1
    return _with_gradient(_gru_forward, _gru_backward,
                          (xw, h0, recurrent_kernel, recurrent_bias), mask, training)


def _gru_forward(xw, h0, recurrent_kernel, recurrent_bias, mask, save):
    units = h0.shape[-1]

    def body(t, h):
        inner = tf.matmul(h, recurrent_kernel) + recurrent_bias
        x_zr, x_h = tf.split(xw[t], [2 * units, units], axis=1)
        inner_zr, inner_h = tf.split(inner, [2 * units, units], axis=1)
        gates = tf.sigmoid(x_zr + inner_zr)
        z, r = tf.split(gates, 2, axis=1)
        candidate = tf.tanh(x_h + r * inner_h)
        change = h - candidate
        new_h = candidate + z * change
        if mask is not None:
            new_h = _carry(mask[t], new_h, h)
        if not save:
            return (new_h,), [new_h]
        d_candidate = (1 - z) * (1 - candidate * candidate)
        # d(recurrent pre-activation) = [dh, dh, dh] * local[:3H];
        # d(input pre-activation, h part) = dh * local[3H:4H]; dh_prev = dh * local[4H:].
        local = tf.concat([gates * (1 - gates) * tf.concat([change, d_candidate * inner_h], 1),
                           d_candidate * r, d_candidate], axis=1)
        through = z
        if mask is not None:
            local, through = local * mask[t], _carry(mask[t], z, tf.ones_like(z))
        return (new_h,), [new_h, tf.concat([local, through], axis=1)]

    return _forward_loop(xw, body, (h0,), 5 * units, save)


def _gru_backward(inputs, outputs, local, upstream, mask):
    xw, h0, recurrent_kernel, _ = inputs
    hs = outputs[0]
    d_hs, d_h = upstream
    units = h0.shape[-1]
    transposed = tf.transpose(recurrent_kernel)

    def back(t, dh):
        dh = dh + d_hs[t]
        inner_part, input_h, through = tf.split(local[t], [3 * units, units, units], axis=1)
        d_inner = tf.concat([dh, dh, dh], axis=1) * inner_part
        next_dh = dh * through + tf.matmul(d_inner, transposed)
        return (next_dh,), [d_inner, dh * input_h]

    (dh0,), (d_inner, d_input_h) = _loop(
        tf.shape(xw)[0], back, (d_h,),
        [(xw.dtype, [h0.shape[0], 3 * units]), (xw.dtype, h0.shape)], backwards=True)
    dxw = tf.concat([d_inner[:, :, :2 * units], d_input_h], axis=2)
    return [dxw, dh0, _weight_grad(_previous(hs, h0), d_inner),
            tf.reduce_sum(d_inner, axis=[0, 1])]


def simple(xw, h0, recurrent_kernel, mask=None, training=True):
    """``(H, h_T)`` for ``h_t = tanh(xw_t + h_{t-1} U)``."""
    TRACES["simple"] += 1
    return _with_gradient(_simple_forward, _simple_backward, (xw, h0, recurrent_kernel),
                          mask, training)


def _simple_forward(xw, h0, recurrent_kernel, mask, save):
    def body(t, h):
        cell = tf.tanh(xw[t] + tf.matmul(h, recurrent_kernel))
        new_h = _carry(None if mask is None else mask[t], cell, h)
        if not save:
            return (new_h,), [new_h]
        local = 1 - cell * cell
        return (new_h,), [new_h, local if mask is None else local * mask[t]]

    return _forward_loop(xw, body, (h0,), h0.shape[-1], save)


def _simple_backward(inputs, outputs, local, upstream, mask):
    xw, h0, recurrent_kernel = inputs
    hs = outputs[0]
    d_hs, d_h = upstream
    transposed = tf.transpose(recurrent_kernel)
    keep = None if mask is None else 1 - mask

    def back(t, dh):
        dh = dh + d_hs[t]
        dpre = dh * local[t]
        next_dh = tf.matmul(dpre, transposed)
        if mask is not None:
            next_dh += keep[t] * dh
        return (next_dh,), [dpre]

    (dh0,), (dpres,) = _loop(tf.shape(xw)[0], back, (d_h,), [(xw.dtype, h0.shape)],
                             backwards=True)
    return [dpres, dh0, _weight_grad(_previous(hs, h0), dpres)]
