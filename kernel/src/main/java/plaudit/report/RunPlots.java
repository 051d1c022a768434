package plaudit.report;

import tech.tablesaw.api.Table;

/** The plots of a run's stages, drawn from what the stages write (also when a finished run is read back). */
public final class RunPlots {
    private RunPlots() {
    }

    /** A policy-gradient run's plot: reward, gold reward (when known) and KL by step. */
    public static Plot policyGradient(String name, Table metrics, boolean gold) {
        return Plot.lines(metrics, "step", gold
                        ? new String[] {"objective/scores", "objective/gold", "objective/kl"}
                        : new String[] {"objective/scores", "objective/kl"}).toBuilder()
                .title(name + ": reward" + (gold ? ", gold reward" : "") + " and KL").build();
    }

    /**
     * The reward model's held-out accuracy by score-ratio bucket ({@code rm/calibration.csv}) with its references.
     *
     * @param goldAgreement null without a gold preference
     * @param ceiling       the voters' noise ceiling, null for real data
     */
    public static Plot rewardModel(Table calibration, double accuracy, Double goldAgreement, Double ceiling) {
        double[] x = new double[calibration.rowCount()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        Plot.Builder b = Plot.builder().title("Reward model: held-out accuracy on upvote pairs by score-ratio bucket")
                .xLabel("score-ratio bucket (1: 1–2, 2: 2–3, 3: 3–5, 4: 5–10, 5: ≥ 10)").yLabel("accuracy")
                .linePoints("RM accuracy on upvote pairs", x, calibration.numberColumn("accuracy").asDoubleArray())
                .reference(String.format("overall accuracy %.3f", accuracy), accuracy);
        if (goldAgreement != null) b.reference(String.format("agreement with gold %.3f", goldAgreement), goldAgreement);
        if (ceiling != null) b.reference(String.format("voters' noise ceiling %.3f", ceiling), ceiling);
        return b.reference("chance", 0.5).build();
    }
}
