package plaudit.bench;

import ai.djl.Device;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.data.RewardFunction;
import plaudit.reward.RewardModelScorer;
import plaudit.text.PlainTokenizer;
import plaudit.text.Tokenizer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.LR;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.SEED;
import static plaudit.train.ppo.PpoConfig.SHARED_TRUNK;
import static plaudit.train.ppo.PpoConfig.STEPS;

/**
 * One PPO step broken down (rollout / scoring / reference + value forward / update) on the model benchmark's config,
 * with the memory of the models (policy, reference, reward model, and a value network unless the value head shares
 * the policy's trunk) and the optimizer state, for both layouts of the value function. Random
 * weights and a cheap text reward: this measures the machinery, not learning.
 */
public final class PpoBench {
    private PpoBench() {
    }

    public static Table run(ModelBench.Scale scale, Device device) {
        GptConfig cfg = ModelBench.config(scale);
        int batch = scale == ModelBench.Scale.FULL ? 32 : 8;
        PpoConfig pc = PpoConfig.SETTINGS.builder().set(STEPS, 3).set(BATCH_SIZE, batch).set(MINI_BATCH_SIZE, batch / 4).set(LR, 3e-5)
                .set(RESPONSE_LENGTH, scale == ModelBench.Scale.FULL ? 48 : 16).set(SEED, 3L).set(SAMPLE_EVERY, 0).build();
        Tokenizer tok = new NumberTokenizer(cfg.vocabSize());
        SplittableRandom rng = new SplittableRandom(5);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 64; i++) prompts.add(NumberTokenizer.text(rng.ints(64, 0, cfg.vocabSize() - 1).toArray()));
        // the shared trunk first: peak RSS is a high-water mark, so the run with one model less must not follow the other
        Table shared = steps(cfg, pc.toBuilder().set(SHARED_TRUNK, true).build(), tok, prompts, device);
        long sharedPeak = peakRssBytes();
        Table separate = steps(cfg, pc, tok, prompts, device);
        long params = cfg.parameterCount();
        StringColumn what = StringColumn.create("part");
        DoubleColumn sep = DoubleColumn.create("separate value network"), sh = DoubleColumn.create("shared trunk");
        double sepTotal = 0, shTotal = 0;
        for (String c : List.of("time/rollout", "time/score", "time/ref_value", "time/update")) {
            what.append(c.substring(5) + " (s, median)");
            double a = ModelBench.median(separate.doubleColumn(c).asDoubleArray());
            double b = ModelBench.median(shared.doubleColumn(c).asDoubleArray());
            sep.append(a);
            sh.append(b);
            sepTotal += a;
            shTotal += b;
        }
        what.append("whole step (s)");
        sep.append(sepTotal);
        sh.append(shTotal);
        // fp32 weights of every model + AdamW's two moments of what is trained: policy + value network, or policy + head
        what.append("model+optimizer state (MB)");
        sep.append(Math.round((4.0 * 4 * params + 2 * 4 * 2 * params) / (1 << 20) * 10) / 10.0);
        sh.append(Math.round((3.0 * 4 * params + 4 * 2 * params) / (1 << 20) * 10) / 10.0);
        what.append("peak RSS (MB)");
        sep.append(peakRssBytes() / (double) (1 << 20));
        sh.append(sharedPeak / (double) (1 << 20));
        return Table.create("PPO step — " + cfg + ", batch " + batch + ", response " + pc.responseLength()
                + " tokens, 4 epochs", what, sep, sh);
    }

    /** Metrics of {@code pc.steps()} PPO steps on random weights: policy, reference, reward model (+ value network). */
    private static Table steps(GptConfig cfg, PpoConfig pc, Tokenizer tok, List<String> prompts, Device device) {
        MetricsLog log = new MetricsLog("ppo bench", null);
        try (Gpt policy = Gpt.init(cfg, device, 1);
             Gpt ref = Gpt.init(cfg, device, 1);
             ScoreModel value = pc.sharedTrunk() ? null : ScoreModel.withNewHead(Gpt.init(cfg, device, 2), 3);
             ScoreModel rm = ScoreModel.withNewHead(Gpt.init(cfg, device, 2), 3)) {
            RewardFunction reward = new RewardModelScorer(rm, tok, pc.responseLength(), 64);
            new PpoTrainer(policy, ref, value, reward, null, tok, prompts, pc).train(log, null, null);
        }
        return log.table();
    }

    /** VmHWM of this process (Linux), or -1 where /proc is not available. */
    static long peakRssBytes() {
        return rssBytes("VmHWM:");
    }

    /** A memory line of /proc/self/status ({@code VmHWM:} peak, {@code VmRSS:} now) in bytes, or -1. */
    static long rssBytes(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(field)) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Ids written as numbers: prompts of random ids without a trained tokenizer. The last id is EOS. */
    record NumberTokenizer(int vocab) implements PlainTokenizer {
        static String text(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(id).append(' ');
            return sb.toString();
        }

        @Override
        public int[] encode(String text) {
            String s = text.strip();
            return s.isEmpty() ? new int[0] : Arrays.stream(s.split(" +")).mapToInt(Integer::parseInt).toArray();
        }

        @Override
        public String decode(int[] ids) {
            return text(Arrays.stream(ids).filter(i -> i != eosId()).toArray());
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public int eosId() {
            return vocab - 1;
        }
    }
}
