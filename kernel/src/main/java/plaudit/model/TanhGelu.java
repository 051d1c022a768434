package plaudit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * GPT-2's GELU, the tanh approximation {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, as PyTorch's own fused
 * kernel {@code torch.gelu(x, approximate="tanh")} with its fused backward. DJL's Java API offers only the exact erf
 * GELU, which GPT-2 checkpoints were not trained with; composed from DJL's elementwise ops the tanh form took six
 * kernels forward and about ten backward, each a pass over the MLP's widest activations, and kept two extra
 * activations per layer for backward (docs/benchmarks.md, "Where the time goes").
 *
 * <p>The kernel is reached through a TorchScript module that calls it, written here as a TorchScript archive (its
 * source, and a three-line pickle of the module object) and loaded once from memory: nothing is read from disk or
 * downloaded. The module holds no tensors, so one instance serves every device and thread.
 */
final class TanhGelu {
    private static final String NAME = "TanhGelu";
    private static final String SOURCE = "class " + NAME + "(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def forward(self: __torch__." + NAME + ",\n"
            + "    x: Tensor) -> Tensor:\n"
            + "    return torch.gelu(x, approximate=\"tanh\")\n";

    private static volatile PtSymbolBlock module;

    private TanhGelu() {
    }

    /** {@code gelu_tanh(x)}, owned by {@code x}'s manager; differentiable when gradients are recorded. */
    static NDArray apply(NDArray x) {
        // true: the module runs in the caller's gradient mode (recording under a GradientCollector, not under
        // NoGrad); false would run it in inference mode, whose tensors refuse a later in-place update
        NDArray y = IValueUtils.forward(module(), new NDList(x), true).singletonOrThrow();
        y.attach(x.getManager());
        return y;
    }

    private static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m == null) {
            synchronized (TanhGelu.class) {
                m = module;
                if (m == null) module = m = load();
            }
        }
        return m;
    }

    private static PtSymbolBlock load() {
        // the module's manager lives as long as the JVM: the module is shared by every model
        NDManager owner = Engine.getEngine("PyTorch").newBaseManager();
        try {
            return JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive()), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("loading the TorchScript GELU module", e);
        }
    }

    /** The TorchScript archive: the module's source, its pickled object, no constants, format version 10. */
    static byte[] archive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "data.pkl", modulePickle());
            entry(zip, "code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            entry(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // protocol 2, an empty tuple, stop
            entry(zip, ".data/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry("gelu/" + name));
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * The module object, pickled (protocol 2): an instance of {@code __torch__.TanhGelu} built from the state
     * {@code {"training": True}}.
     */
    private static byte[] modulePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);                                                   // PROTO 2
        p.writeBytes(("c__torch__\n" + NAME + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')');                                                 // EMPTY_TUPLE
        p.write(0x81);                                                // NEWOBJ
        p.write('}');                                                 // EMPTY_DICT
        p.write('(');                                                 // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X');                                                 // BINUNICODE, 4-byte little-endian length
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x88);                                                // NEWTRUE
        p.write('u');                                                 // SETITEMS
        p.write('b');                                                 // BUILD
        p.write('.');                                                 // STOP
        return p.toByteArray();
    }
}
