package plaudit.model;

import ai.djl.ndarray.NDArray;
import plaudit.UserError;

import java.util.Map;

/** Copying saved tensors into live parameters (resume), with every name and shape checked. */
public final class Params {
    private Params() {
    }

    /**
     * Overwrites each array of {@code dst} in place with the same-named array of {@code src}.
     *
     * @param what names the state in errors, e.g. "optimizer state"
     */
    public static void assign(Map<String, NDArray> dst, Map<String, NDArray> src, String what) {
        for (String k : dst.keySet()) {
            if (!src.containsKey(k)) throw new UserError(what + ": tensor '" + k + "' is missing; resume from a checkpoint of the same run");
        }
        for (String k : src.keySet()) {
            if (!dst.containsKey(k)) throw new UserError(what + ": unexpected tensor '" + k + "'; the checkpoint belongs to another model");
        }
        try (NoGrad ignored = NoGrad.enter()) {
            dst.forEach((k, d) -> {
                NDArray s = src.get(k);
                if (!d.getShape().equals(s.getShape())) {
                    throw new UserError(what + ": '" + k + "' has shape " + s.getShape() + " but the model needs "
                            + d.getShape() + "; the checkpoint belongs to another model config");
                }
                d.set(s.toFloatArray());
            });
        }
    }
}
