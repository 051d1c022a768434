package plaudit.reward;

import plaudit.UserError;
import plaudit.data.RewardFunction;
import plaudit.train.pg.Rollout;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Composition of reward functions: named functions, weighted sums, clamps and gates. Every composite passes whole
 * batches down ({@link RewardFunction#scoreAll}), so a reward model inside a composition still scores in batches.
 *
 * <pre>{@code
 * RewardFunction r = Rewards.sum(List.of(rm, polite), new double[] {0.7, 0.3});
 * RewardFunction safe = Rewards.gate(Rewards.clamp(r, -5, 5), tooLong, -1.0); // −1 whenever tooLong fires
 * }</pre>
 */
public final class Rewards {
    private Rewards() {
    }

    /** A function with a name (shown in tables and metric columns). */
    public static RewardFunction named(String name, RewardFunction f) {
        return new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                return f.score(prompt, response);
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                return f.scoreAll(prompts, responses);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** {@code Σ wᵢ·fᵢ}. */
    public static RewardFunction sum(List<RewardFunction> fs, double[] weights) {
        if (fs.size() != weights.length || fs.isEmpty()) {
            throw new UserError("weighted sum: " + fs.size() + " reward functions but " + weights.length + " weights");
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) throw new UserError("weighted sum: weight " + w + " is not a finite number");
        }
        double[] ws = weights.clone();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < ws.length; i++) {
            if (i > 0) name.append(" + ");
            name.append(ws[i] == 1 ? "" : trim(ws[i]) + "·").append(fs.get(i).name());
        }
        return named(name.toString(), new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                double s = 0;
                for (int i = 0; i < ws.length; i++) s += ws[i] * fs.get(i).score(prompt, response);
                return s;
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                double[] s = new double[prompts.size()];
                for (int i = 0; i < ws.length; i++) {
                    double[] part = fs.get(i).scoreAll(prompts, responses);
                    for (int j = 0; j < s.length; j++) s[j] += ws[i] * part[j];
                }
                return s;
            }
        });
    }

    /** {@code f} limited to {@code [lo, hi]}: bounds how much any single response can be rewarded. */
    public static RewardFunction clamp(RewardFunction f, double lo, double hi) {
        if (!(lo <= hi)) throw new UserError("clamp: lower bound " + lo + " is above upper bound " + hi);
        return map(f, "clamp(" + f.name() + ", " + trim(lo) + ", " + trim(hi) + ")", x -> Math.max(lo, Math.min(hi, x)));
    }

    /**
     * A gate: where {@code condition} scores above 0 (it fires), the reward is {@code penalty}; elsewhere it is
     * {@code f}. E.g. "any response containing a banned word gets −1, whatever the reward model thinks".
     */
    public static RewardFunction gate(RewardFunction f, RewardFunction condition, double penalty) {
        return named("gate(" + f.name() + " unless " + condition.name() + ")", new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                return condition.score(prompt, response) > 0 ? penalty : f.score(prompt, response);
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                double[] fired = condition.scoreAll(prompts, responses);
                double[] s = f.scoreAll(prompts, responses);
                for (int i = 0; i < s.length; i++) if (fired[i] > 0) s[i] = penalty;
                return s;
            }
        });
    }

    /** Applies {@code g} to every score of {@code f}. */
    public static RewardFunction map(RewardFunction f, String name, DoubleUnaryOperator g) {
        return named(name, new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                return g.applyAsDouble(f.score(prompt, response));
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                return Arrays.stream(f.scoreAll(prompts, responses)).map(g).toArray();
            }
        });
    }

    /**
     * Rejects non-finite scores with a message naming the function, the prompt and the response (each cut to one line
     * of 80 characters), and in a batch the sample; a policy-gradient rollout adds the step.
     */
    public static RewardFunction checked(RewardFunction f) {
        return named(f.name(), new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                double v = f.score(prompt, response);
                if (!Double.isFinite(v)) throw nonFinite(v, "the response " + shown(prompt, response));
                return v;
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                double[] s = f.scoreAll(prompts, responses);
                for (int i = 0; i < s.length; i++) {
                    if (!Double.isFinite(s[i])) throw nonFinite(s[i], "sample " + i + " " + shown(prompts.get(i), responses.get(i)));
                }
                return s;
            }

            private static String shown(String prompt, String response) {
                return "(prompt \"" + Rollout.shown(prompt) + "\", response \"" + Rollout.shown(response) + "\")";
            }

            private UserError nonFinite(double v, String where) {
                return new UserError("reward function '" + f.name() + "' returned " + v + " for " + where
                        + "; a reward must be a finite number");
            }
        });
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
