package plaudit.model;

import ai.djl.Device;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log-prob parity (≤ 1e-4) of Plaudit's Llama, Qwen2 and Qwen3 with the plain-PyTorch reference
 * {@code bench/pytorch_llama.py}, written from Hugging Face's modeling code, on tiny random checkpoints: grouped-query
 * attention, tied and untied heads, sharded weights, bf16/f16 storage, llama3 rope scaling, Qwen3's explicit head_dim.
 * Needs Debian's python3-torch (scripts/setup-bench.sh) and is skipped, with that message, where it is missing.
 */
class LlamaParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    @Test
    void logProbsMatchPlainPytorch() throws Exception {
        Path script = Path.of(System.getProperty("plaudit.repo.dir", "..")).resolve("bench/pytorch_llama.py");
        assertTrue(Files.isRegularFile(script), script + " is missing");
        if (!torchPresent()) {
            System.err.println("SKIPPED LlamaParityTest: /usr/bin/python3 has no torch; run scripts/setup-bench.sh");
            Assumptions.abort("python3-torch missing: run scripts/setup-bench.sh to compare with PyTorch");
        }
        check(script, "llama, GQA 4/2, untied, f32", TinyLlamas.llama(), Safetensors.DType.F32, 1);
        check(script, "llama, llama3 rope scaling, MQA 4/1, tied, biases, bf16", TinyLlamas.llama3(),
                Safetensors.DType.BF16, 1);
        check(script, "qwen2, q/k/v bias, tied, 3 shards", TinyLlamas.qwen2(), Safetensors.DType.F32, 3);
        check(script, "qwen3, q/k norm, head_dim 12, untied, f16", TinyLlamas.qwen3(), Safetensors.DType.F16, 1);
        check(script, "qwen3, bf16, 2 shards", TinyLlamas.qwen3(), Safetensors.DType.BF16, 2);
    }

    private void check(Path script, String label, LlamaConfig cfg, Safetensors.DType dtype, int shards) throws Exception {
        Path dir = TinyLlamas.write(tmp.resolve("m" + label.hashCode()), cfg, 7, dtype, shards);
        SplittableRandom rng = new SplittableRandom(label.hashCode());
        int[] ids = new int[cfg.maxPositionEmbeddings() - 4];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(cfg.vocabSize());
        float[] plaudit;
        try (CausalLm lm = ModelFolder.open(dir, Device.cpu())) {
            assertEquals(cfg, ((Llama) lm).config());
            plaudit = lm.sequenceLogProbs(ids);
        }
        double[] pytorch = runReference(script, dir, Arrays.toString(ids));
        assertEquals(ids.length - 1, pytorch.length, label);
        double worst = 0;
        for (int i = 0; i < pytorch.length; i++) worst = Math.max(worst, Math.abs(plaudit[i] - pytorch[i]));
        System.err.printf(Locale.ROOT, "LlamaParityTest %s: %d log-probs, max |plaudit - pytorch| = %.3g%n", label,
                pytorch.length, worst);
        assertTrue(worst <= TOLERANCE, label + ": max |diff| " + worst + " > " + TOLERANCE);
    }

    static boolean torchPresent() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return false;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static double[] runReference(Path script, Path dir, String ids) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(ids.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pytorch_llama.py did not finish");
        assertEquals(0, p.exitValue(), "pytorch_llama.py failed: " + err);
        return TinyLlamas.JSON.readValue(out, double[].class);
    }
}
