package plaudit.train;

/**
 * Linear warmup then cosine decay to {@code minLr} (the schedule of GPT-2/nanoGPT).
 *
 * @param maxLr       peak learning rate, reached at the end of warmup
 * @param minLr       floor reached at {@code decaySteps} and kept after
 * @param warmupSteps steps of linear warmup from 0
 * @param decaySteps  step at which the cosine reaches {@code minLr} (usually the total number of steps)
 */
public record LrSchedule(double maxLr, double minLr, int warmupSteps, int decaySteps) {

    public static LrSchedule constant(double lr) {
        return new LrSchedule(lr, lr, 0, 1);
    }

    /** Learning rate for 0-based optimizer step {@code step}. */
    public double at(long step) {
        if (step < warmupSteps) return maxLr * (step + 1) / warmupSteps;
        if (step >= decaySteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, decaySteps - warmupSteps);
        return minLr + 0.5 * (1 + StrictMath.cos(Math.PI * progress)) * (maxLr - minLr);
    }
}
