package plaudit.model;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import com.sun.management.OperatingSystemMXBean;
import plaudit.UserError;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What a GPT of a given shape costs, from its sizes alone: computed in double, so no product overflows and nothing is
 * allocated. {@link GptConfig} refuses a shape this implementation cannot hold ({@link #checkShape}); the code that
 * allocates a model refuses one this machine cannot hold ({@link #checkFits}), before its first tensor exists, so a
 * huge {@code n_layer} is a one-line error rather than a process that grows until the kernel kills it.
 */
public final class ModelBudget {
    /** Training holds the float32 weights, their gradients and AdamW's two moments. */
    public static final int TRAINING_BYTES_PER_PARAMETER = 16;
    /** Sampling, scoring and export hold the float32 weights. */
    public static final int WEIGHT_BYTES_PER_PARAMETER = 4;
    /** Every tensor passes through one Java {@code float[]} between a file (or the initialiser) and PyTorch. */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;
    /**
     * The largest model accepted on any machine: PPO holds the trained policy (16 bytes per parameter), its frozen
     * reference and the reward model (4 each), so 2^32 parameters already need about 100 GB on one device, more than
     * an 80 GB accelerator holds. A spec is checked against this where it is written, which need not be where it runs;
     * against the memory of the device ({@link #checkFits}) where the model is built.
     */
    public static final long MAX_PARAMETERS = 1L << 32;

    private ModelBudget() {
    }

    /** Parameter count with the tied embedding counted once (exact below 2^53). */
    public static double parameters(GptConfig cfg) {
        return parameters(cfg.nLayer(), cfg.nEmbd(), cfg.blockSize(), cfg.vocabSize());
    }

    /** Tensors of a GPT-2 with {@code nLayer} blocks, under Hugging Face names: wte, wpe, 12 per block, ln_f's two. */
    public static double tensorCount(GptConfig cfg) {
        return 2 + 12.0 * cfg.nLayer() + 2;
    }

    private static double parameters(double nLayer, double c, double blockSize, double vocab) {
        double perBlock = 12 * c * c + 13 * c; // ln_1, ln_2 (4c), c_attn (3c² + 3c), c_proj (c² + c), mlp (8c² + 5c)
        return vocab * c + blockSize * c + nLayer * perBlock + 2 * c;
    }

    /**
     * Refuses sizes that no machine can hold in this implementation: a tensor larger than a Java array, or more than
     * {@link #MAX_PARAMETERS} in all. The sizes are GptConfig's and already positive.
     */
    static void checkShape(int nLayer, int nEmbd, int blockSize, int vocabSize) {
        double c = nEmbd;
        tensor("transformer.wte.weight", "vocab_size x n_embd", (double) vocabSize * c, "vocab_size or n_embd");
        tensor("transformer.wpe.weight", "n_positions x n_embd", (double) blockSize * c, "n_positions or n_embd");
        tensor("transformer.h.0.mlp.c_fc.weight", "n_embd x 4 n_embd", 4 * c * c, "n_embd");
        double params = parameters(nLayer, c, blockSize, vocabSize);
        if (params > MAX_PARAMETERS) {
            throw new UserError(String.format(Locale.ROOT, "model config: n_layer=%d, n_embd=%d, n_positions=%d,"
                    + " vocab_size=%d give %.3g parameters, more than the %.3g Plaudit trains on one device (PPO"
                    + " needs about 24 bytes per parameter: %s); lower n_layer or n_embd", nLayer, nEmbd, blockSize,
                    vocabSize, params, (double) MAX_PARAMETERS, bytes(params * 24)));
        }
    }

    private static void tensor(String name, String product, double elements, String fix) {
        if (elements > MAX_TENSOR_ELEMENTS) {
            throw new UserError(String.format(Locale.ROOT, "model config: %s would hold %s = %.3g values, more than"
                    + " one tensor can (2^31 - 8); lower %s", name, product, elements, fix));
        }
    }

    /**
     * Refuses a config that claims far more than its weights file holds (a huge n_layer): over twice the file's
     * tensors, or more parameters than its bytes hold even at 16 bits. It fails here, in one short line, before the
     * config's tensors are listed; a near miss is left to the name-by-name check, whose message says what is missing.
     */
    static void checkFile(Safetensors.Reader file, GptConfig cfg) {
        long bytes = 0;
        for (String name : file.names()) bytes += file.entry(name).byteLength();
        double tensors = tensorCount(cfg);
        double smallest = parameters(cfg) * 2; // F16/BF16, the narrowest type Plaudit reads
        if (tensors > 2.0 * file.names().size() + 16 || smallest > bytes) {
            throw new UserError(String.format(Locale.ROOT, "%s: holds %d tensors (%s) but the config (%s) needs %.0f"
                    + " tensors of %.3g parameters (at least %s); use the config.json that belongs to these weights",
                    file.file(), file.names().size(), bytes(bytes), HfGpt2.describe(cfg), tensors, parameters(cfg),
                    bytes(smallest)));
        }
    }

    /**
     * Refuses, before anything is allocated, a model whose {@code bytesPerParameter} (e.g.
     * {@link #TRAINING_BYTES_PER_PARAMETER}) exceed the memory of {@code device}, or whose largest tensor exceeds the
     * Java heap it passes through.
     *
     * @param use what the model is for, for the message ("training", "loading")
     */
    public static void checkFits(GptConfig cfg, Device device, int bytesPerParameter, String use) {
        checkFits(cfg, bytesPerParameter, use, device.isGpu() ? device.toString() : "this machine", room(device),
                Runtime.getRuntime().maxMemory());
    }

    /** {@link #checkFits(GptConfig, Device, int, String)} with the room given: {@code room} < 0 when unknown. */
    static void checkFits(GptConfig cfg, int bytesPerParameter, String use, String where, long room, long heap) {
        double params = parameters(cfg);
        double needed = params * bytesPerParameter;
        if (room > 0 && needed > room) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): %s it needs %s (%,.0f parameters x %d"
                    + " bytes) but %s has %s; lower n_layer or n_embd", HfGpt2.describe(cfg), use, bytes(needed),
                    params, bytesPerParameter, where, bytes(room)));
        }
        double largest = 4.0 * Math.max(Math.max((double) cfg.vocabSize(), cfg.blockSize()), 4.0 * cfg.nEmbd()) * cfg.nEmbd();
        if (largest > heap) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): its largest tensor (%s) passes through the"
                    + " Java heap, whose limit is %s; raise -Xmx or lower n_embd", HfGpt2.describe(cfg),
                    bytes(largest), bytes(heap)));
        }
    }

    /**
     * {@link #checkFits(GptConfig, Device, int, String)} for a model of another family, given its parameter count and
     * largest tensor (in elements); {@code describe} names its sizes in the message.
     */
    public static void checkFits(double params, double largestTensor, String describe, Device device,
                                 int bytesPerParameter, String use) {
        checkFits(params, largestTensor, describe, bytesPerParameter, use,
                device.isGpu() ? device.toString() : "this machine", room(device), Runtime.getRuntime().maxMemory());
    }

    /** {@link #checkFits(double, double, String, Device, int, String)} with the room given: {@code room} < 0 when unknown. */
    static void checkFits(double params, double largestTensor, String describe, int bytesPerParameter, String use,
                          String where, long room, long heap) {
        double needed = params * bytesPerParameter;
        if (room > 0 && needed > room) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): %s it needs %s (%,.0f parameters x %d"
                    + " bytes) but %s has %s; use a smaller model", describe, use, bytes(needed), params,
                    bytesPerParameter, where, bytes(room)));
        }
        if (4.0 * largestTensor > heap) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): its largest tensor (%s) passes through the"
                    + " Java heap, whose limit is %s; raise -Xmx", describe, bytes(4.0 * largestTensor), bytes(heap)));
        }
    }

    /**
     * Refuses a config that claims more parameters than its weights hold even at 16 bits, or far more tensors (a huge
     * num_hidden_layers), before the config's tensors are listed one by one.
     */
    static void checkFile(double tensors, double params, String describe, int fileTensors, long fileBytes, String source) {
        double smallest = params * 2; // F16/BF16, the narrowest type Plaudit reads
        if (tensors > 2.0 * fileTensors + 16 || smallest > fileBytes) {
            throw new UserError(String.format(Locale.ROOT, "%s: holds %d tensors (%s) but the config (%s) needs %.0f"
                    + " tensors of %.3g parameters (at least %s); use the config.json that belongs to these weights",
                    source, fileTensors, bytes(fileBytes), describe, tensors, params, bytes(smallest)));
        }
    }

    /** Memory of the device in bytes: a GPU's own, else this machine's physical memory; -1 when it cannot be told. */
    static long room(Device device) {
        try {
            if (device.isGpu()) return CudaUtils.getGpuMemory(device).getMax();
            return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        } catch (RuntimeException | LinkageError e) {
            return -1; // unknown: the allocation itself will tell
        }
    }

    /** {@code 1.5 GB}, {@code 320 MB}, … */
    static String bytes(double b) {
        String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB"};
        int u = 0;
        while (b >= 1000 && u < units.length - 1) {
            b /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.3g %s", b, units[u]);
    }
}
