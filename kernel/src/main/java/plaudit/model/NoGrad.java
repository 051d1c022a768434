package plaudit.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A region where PyTorch records no autograd graph (inference, rollouts, in-place parameter updates):
 * {@code try (NoGrad ignored = NoGrad.enter()) { … }}. Grad mode is per thread in PyTorch and a fresh thread starts
 * with it on, so every such region sets it explicitly and restores what it found.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
