package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import plaudit.UserError;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.data.RewardFunction;
import plaudit.text.Tokenizer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvWriteOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Goal steering with frozen weights: learn an input prefix on training prompts that makes a target continuation
 * likelier, then measure it on held-out prompts (transfer, and steered samples' perplexity, KL and gold reward).
 */
public final class Steering {
    /** Prompts per forward pass when measuring p(target). */
    private static final int ROWS_PER_PASS = 32;

    private Steering() {
    }

    /** How the prefix is found. */
    public enum Method {
        /** Trained soft prompt vectors ({@link SoftPromptTuning}). */
        SOFT,
        /** A readable token prefix from greedy coordinate gradient ({@link GreedyCoordinateGradient}). */
        DISCRETE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code soft}, {@code discrete} or {@code both}. */
        public static List<Method> parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "soft" -> List.of(SOFT);
                case "discrete" -> List.of(DISCRETE);
                case "both" -> List.of(SOFT, DISCRETE);
                default -> throw new UserError("steer: method '" + s + "' is unknown; use soft, discrete or both");
            };
        }
    }

    /** The target's token ids; an error for a blank target or one that tokenizes to nothing. */
    public static int[] encodeTarget(Tokenizer tok, String target) {
        if (target == null || target.isEmpty()) {
            throw new UserError("steer: the target is empty; give the text to make likelier, e.g. --target \" in my experience\"");
        }
        int[] ids = tok.encode(target);
        if (ids.length == 0) throw new UserError("steer: the target '" + target + "' tokenizes to no tokens");
        return ids;
    }

    /** A prompt's ids; an empty prompt starts after end-of-text, as a document does. */
    static int[] encodePrompt(Tokenizer tok, String prompt) {
        int[] ids = tok.encode(prompt);
        if (ids.length > 0) return ids;
        if (tok.eosId() >= 0) return new int[] {tok.eosId()};
        throw new UserError("steer: a prompt is empty and the tokenizer has no end-of-text token to start from");
    }

    /**
     * Runs each method on {@code model} (left frozen and unchanged) and measures it.
     *
     * @param train   prompts the prefix is learned on
     * @param heldOut unseen prompts: transfer of p(target), and the samples for perplexity, KL and gold
     * @param gold    the true preference when known (the synthetic forum's), else null
     */
    public static List<SteerResult> run(Gpt model, Tokenizer tok, List<String> train, List<String> heldOut,
                                        String target, SteerConfig cfg, List<Method> methods, RewardFunction gold) {
        if (train.isEmpty()) throw new UserError("steer: no training prompts");
        if (heldOut.isEmpty()) throw new UserError("steer: no held-out prompts");
        int[] tgt = encodeTarget(tok, target);
        List<int[]> trainIds = train.stream().map(p -> encodePrompt(tok, p)).toList();
        List<int[]> heldIds = heldOut.stream().map(p -> encodePrompt(tok, p)).toList();
        model.setTrainable(false);

        double pBefore = meanTargetProb(model, trainIds, tgt, null, cfg.position());
        double transferBefore = meanTargetProb(model, heldIds, tgt, null, cfg.position());
        SteeredSamples unsteered = SteeredSamples.sample(model, tok, heldIds, heldOut, SteeredSamples.NONE, cfg.position(),
                cfg.samplesPerPrompt(), cfg.maxNewTokens(), cfg.seed(), gold);

        List<SteerResult> results = new ArrayList<>();
        for (Method m : methods) {
            try (NDManager owner = model.manager().newSubManager()) {
                long t0 = System.nanoTime();
                NDArray vectors;
                SteeredSamples.Prefix prefix;
                String text;
                if (m == Method.SOFT) {
                    vectors = SoftPromptTuning.train(model, trainIds, tgt, cfg, owner);
                    prefix = new SteeredSamples.Prefix.Soft(vectors);
                    text = nearestTokens(model, tok, vectors);
                } else {
                    int[] ids = GreedyCoordinateGradient.search(model, tok, trainIds, tgt, cfg);
                    vectors = tokenVectors(model, ids, owner);
                    prefix = new SteeredSamples.Prefix.Tokens(ids);
                    text = tok.decode(ids);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                SteeredSamples steered = SteeredSamples.sample(model, tok, heldIds, heldOut, prefix, cfg.position(),
                        cfg.samplesPerPrompt(), cfg.maxNewTokens(), cfg.seed(), gold);
                results.add(new SteerResult(m.key(), cfg.position().key(), text, pBefore, meanTargetProb(model, trainIds, tgt, vectors, cfg.position()),
                        transferBefore, meanTargetProb(model, heldIds, tgt, vectors, cfg.position()), unsteered.perplexity(),
                        steered.perplexity(), unsteered.gold(), steered.gold(), steered.kl(), seconds));
            }
        }
        return results;
    }

    /** Mean of {@code p(target | prefix, prompt)} over the prompts; {@code prefix} {@code [k, C]} or null. */
    public static double meanTargetProb(Gpt model, List<int[]> prompts, int[] target, NDArray prefix,
                                        SoftPrefix.Position position) {
        int k = prefix == null ? 0 : Math.toIntExact(prefix.getShape().get(0));
        double sum = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < prompts.size(); from += ROWS_PER_PASS) {
                List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + ROWS_PER_PASS));
                try (NDManager scope = model.manager().newSubManager()) {
                    float[] logp = SteerBatch.of(scope, chunk, target, k, position, model.config().blockSize())
                            .targetLogProbs(model, prefix).toFloatArray();
                    for (float lp : logp) sum += Math.exp(lp);
                }
            }
        }
        return sum / prompts.size();
    }

    /** The token embeddings of a prefix, {@code [k, C]}, owned by {@code owner}. */
    private static NDArray tokenVectors(Gpt model, int[] ids, NDManager owner) {
        long[] x = new long[ids.length];
        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
        try (NoGrad ignored = NoGrad.enter()) {
            return model.embedTokens(owner.create(x, new Shape(1, ids.length))).reshape(ids.length, model.config().nEmbd());
        }
    }

    /**
     * Each soft vector's nearest readable token by cosine similarity, joined as text (with {@code |} between vectors).
     */
    static String nearestTokens(Gpt model, Tokenizer tok, NDArray vectors) {
        int vocab = model.config().vocabSize();
        boolean[] readable = GreedyCoordinateGradient.readable(tok, vocab);
        float[] cos;
        try (NoGrad ignored = NoGrad.enter(); NDManager scope = model.manager().newSubManager()) {
            NDArray v = vectors.duplicate();
            v.attach(scope);
            NDArray wte = model.parameters().get("transformer.wte.weight");
            NDArray vn = v.div(v.norm(new int[] {1}, true).add(1e-8f));
            NDArray wn = wte.div(wte.norm(new int[] {1}, true).add(1e-8f));
            wn.attach(scope);
            cos = vn.matMul(wn.transpose()).toFloatArray(); // [k, V]
        }
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < cos.length / vocab; j++) {
            int best = -1;
            for (int t = 0; t < vocab; t++) {
                if (readable[t] && (best < 0 || cos[j * vocab + t] > cos[j * vocab + best])) best = t;
            }
            parts.add(best < 0 ? "?" : tok.decode(new int[] {best}));
        }
        return String.join("|", parts);
    }

    /** One row per method; the columns of {@code steer.csv}. */
    public static Table table(String target, List<SteerResult> results) {
        Table t = Table.create("steer");
        t.addColumns(StringColumn.create("method", results.stream().map(SteerResult::method)),
                StringColumn.create("position", results.stream().map(SteerResult::position)),
                StringColumn.create("target", results.stream().map(r -> target)),
                StringColumn.create("prefix", results.stream().map(SteerResult::prefix)));
        add(t, "p_target_before", results.stream().mapToDouble(SteerResult::pTargetBefore).toArray());
        add(t, "p_target_after", results.stream().mapToDouble(SteerResult::pTargetAfter).toArray());
        add(t, "factor", results.stream().mapToDouble(SteerResult::factor).toArray());
        add(t, "transfer_before", results.stream().mapToDouble(SteerResult::transferBefore).toArray());
        add(t, "transfer_after", results.stream().mapToDouble(SteerResult::transferAfter).toArray());
        add(t, "transfer_factor", results.stream().mapToDouble(SteerResult::transferFactor).toArray());
        add(t, "perplexity_before", results.stream().mapToDouble(SteerResult::perplexityBefore).toArray());
        add(t, "perplexity_after", results.stream().mapToDouble(SteerResult::perplexityAfter).toArray());
        add(t, "gold_before", results.stream().mapToDouble(SteerResult::goldBefore).toArray());
        add(t, "gold_after", results.stream().mapToDouble(SteerResult::goldAfter).toArray());
        add(t, "kl", results.stream().mapToDouble(SteerResult::kl).toArray());
        add(t, "seconds", results.stream().mapToDouble(SteerResult::seconds).toArray());
        return t;
    }

    /**
     * Writes a {@link #table} to {@code file}, keeping the leading and trailing spaces of targets and prefixes:
     * {@code " the"} and {@code "the"} are different tokens.
     */
    public static void writeCsv(Table t, Path file) {
        t.write().csv(CsvWriteOptions.builder(file.toFile()).ignoreLeadingWhitespaces(false)
                .ignoreTrailingWhitespaces(false).build());
    }

    private static void add(Table t, String name, double[] values) {
        t.addColumns(DoubleColumn.create(name, values));
    }
}
