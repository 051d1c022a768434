package plaudit.experiment;

import plaudit.data.RewardFunction;
import plaudit.eval.BestOfN;
import plaudit.model.CausalLm;
import plaudit.report.Tables;
import plaudit.text.Turns;
import plaudit.train.Completions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import java.util.Collections;
import java.util.List;

/**
 * Best-of-n from SFT: for each n of the evaluation, n samples per held-out prompt, keep the reward's favourite
 * ({@link BestOfN}). One draw of max(n) samples per prompt serves every n. Writes {@code best_of_n.csv} and records
 * {@code bon_gold_max_n}.
 */
final class BestOfNStage {
    private BestOfNStage() {
    }

    static Table run(Experiment e, RunState s, DataStage.Result data, Turns turns, CausalLm sft, RewardFunction reward) {
        s.stage("best-of-n");
        List<Integer> ns = e.evaluation().bestOfN();
        int maxN = Collections.max(ns);
        List<String> prompts = data.splits().heldOutPrompts(e.evaluation().bestOfNPrompts());
        Completions all = Completions.sample(sft, turns, prompts, maxN, e.ppo().responseLength(),
                Recipe.SAMPLING_TEMPERATURE, e.seed() + Recipe.BEST_OF_N_SEED);
        RewardFunction gold = data.gold();
        double[] rewardScores = reward.scoreAll(all.prompts(), all.responses());
        double[] goldScores = gold == null ? null : gold.scoreAll(all.prompts(), all.responses());
        IntColumn nCol = IntColumn.create("n");
        DoubleColumn kl = DoubleColumn.create("kl"), g = DoubleColumn.create("gold"), p = DoubleColumn.create("proxy");
        for (int n : ns) {
            BestOfN.Point point = BestOfN.select(n, maxN, rewardScores, goldScores);
            nCol.append(n);
            kl.append(point.kl());
            g.append(point.gold());
            p.append(point.proxy());
        }
        if (gold != null) s.summary.put("bon_gold_max_n", g.get(g.size() - 1));
        Table t = Tables.readable(Table.create("best-of-n from SFT", nCol, kl, g, p));
        t.write().csv(s.out.resolve("best_of_n.csv").toFile());
        return t;
    }
}
