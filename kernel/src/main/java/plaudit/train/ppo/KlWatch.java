package plaudit.train.ppo;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;

/**
 * Notices when the adaptive KL controller has lost the KL, and says so once. The failure it is for: with a target the
 * policy cannot get back to, the controller keeps raising β; with the value head on the policy's trunk, the large
 * per-token penalties blow up the value loss, whose gradients then move the policy further, and KL and β climb
 * together (docs/evidence.md has the run where it happened). Rule: over the last {@link #WINDOW} steps the mean {@code objective/kl} is above twice the target while
 * β has grown tenfold, or above ten times the target whatever β did.
 */
public final class KlWatch {
    static final int WINDOW = 10;

    private final double target;
    private final double initialBeta;
    private final boolean sharedTrunk;
    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    private boolean warned;

    private KlWatch(double target, double initialBeta, boolean sharedTrunk) {
        this.target = target;
        this.initialBeta = initialBeta;
        this.sharedTrunk = sharedTrunk;
    }

    /** A watch for {@code cfg}'s run; null when β is fixed (there is no controller to lose control). */
    public static KlWatch of(PpoConfig cfg) {
        return cfg.adaptiveKl() ? new KlWatch(cfg.targetKl(), cfg.klCoef(), cfg.sharedTrunk()) : null;
    }

    /** Reads one PPO metrics row; returns the warning the first time the rule holds, otherwise null. */
    public String check(Map<String, Number> row) {
        recent.addLast(row.get("objective/kl").doubleValue());
        if (recent.size() > WINDOW) recent.removeFirst();
        if (warned || recent.size() < WINDOW) return null;
        double meanKl = recent.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double beta = row.get("kl_coef").doubleValue();
        boolean lost = meanKl > 10 * target || (meanKl > 2 * target && beta >= 10 * initialBeta);
        if (!lost) return null;
        warned = true;
        String what = String.format(Locale.ROOT, "step %d: the adaptive KL controller is not holding the KL: "
                        + "objective/kl averaged %.3g nats over the last %d steps against a target of %.3g, and β went "
                        + "from %.3g to %.3g. ", row.get("step").intValue(), meanKl, WINDOW, target, initialBeta, beta);
        return what + (sharedTrunk
                ? String.format(Locale.ROOT, "With the value head on the policy's trunk (sharedTrunk), large "
                        + "per-token penalties blow up the value loss (loss/value_avg %.3g) and its gradients move "
                        + "the policy: use a separate value network (sharedTrunk = false) or a larger target KL.",
                        row.get("loss/value_avg").doubleValue())
                : "Try a larger target KL or a lower learning rate.");
    }
}
