package plaudit.experiment;

import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.DataStats;
import plaudit.data.PairsJob;
import plaudit.data.RewardFunction;
import plaudit.data.Source;
import plaudit.data.Split;
import plaudit.data.source.ColumnMap;
import plaudit.sim.CorpusWriter;
import plaudit.sim.Forum;
import plaudit.sim.ForumGenerator;
import plaudit.sim.ForumMeta;
import plaudit.sim.GoldPreference;
import plaudit.sim.NoiseCeiling;
import plaudit.sim.PushshiftWriter;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The data stage: votes → comparisons with SHP's rules, split by thread, written to {@code pairs/}. The votes come from
 * the synthetic forum (whose gold preference is known) written as Pushshift dumps, so the real readers are exercised,
 * from a forum folder, or from real files. Cheap and seeded, so a resumed run redoes it. Records
 * {@code noise_ceiling} (forum only), {@code pairs_train} and {@code pairs_val}.
 */
final class DataStage {
    /**
     * @param corpus the forum's text for pretraining, null for real data (pretraining then reads the comparisons)
     * @param gold   the forum's gold preference, null for real data or when the evaluation asks for none
     */
    record Result(Splits splits, Path corpus, RewardFunction gold, Table stats) {
    }

    private DataStage() {
    }

    static Result run(Experiment e, RunState s) throws IOException {
        Experiment.Data d = e.data();
        List<Path> inputs;
        Source source;
        Path corpus = null;
        RewardFunction gold = null;
        if (d.synthetic() && !d.files().isEmpty()) {
            Path dir = Path.of(d.files().get(0));
            s.stage("forum: " + dir);
            ForumMeta.Folder forum = ForumMeta.Folder.read(dir);
            inputs = forum.dumps();
            corpus = forum.corpus();
            s.summary.put("noise_ceiling", forum.noiseCeiling());
        } else if (d.synthetic()) {
            s.stage("forum: " + d.forum().threads() + " threads");
            Forum forum = new ForumGenerator(d.forum().config(e.seed())).generate();
            Path forumDir = s.out.resolve("forum");
            inputs = new PushshiftWriter(forum).write(forumDir, "forum", false);
            corpus = forumDir.resolve(ForumMeta.Folder.CORPUS);
            CorpusWriter.write(forum, corpus);
            s.summary.put("noise_ceiling", NoiseCeiling.of(forum).agreement());
        } else {
            inputs = d.files().stream().map(Path::of).toList();
        }
        if (d.synthetic()) {
            if (e.evaluation().gold()) gold = new GoldPreference();
            source = Source.REDDIT;
        } else {
            source = Source.of(d.source());
        }

        s.stage("pairs");
        Map<Split, List<Comparison>> pairs = new EnumMap<>(Split.class);
        for (Split sp : Split.values()) pairs.put(sp, new ArrayList<>());
        PairsJob job = new PairsJob(source, inputs, d.rules().pairRules());
        if (d.columns() != null) job.optColumns(ColumnMap.parse(d.columns()));
        DataStats stats;
        try (ComparisonsJsonl.SplitWriter files = new ComparisonsJsonl.SplitWriter(s.out.resolve("pairs"), false)) {
            stats = job.run(c -> {
                pairs.get(c.split()).add(c);
                files.accept(c);
            });
            files.commit();
        }
        List<Comparison> train = pairs.get(Split.TRAIN), val = pairs.get(Split.VAL);
        if (train.isEmpty()) {
            throw new UserError("data: no training comparisons were built from " + inputs
                    + "; see the statistics (plaudit pairs prints them) and loosen data.rules");
        }
        s.summary.put("pairs_train", (double) train.size());
        s.summary.put("pairs_val", (double) val.size());
        return new Result(Splits.of(train, val, pairs.get(Split.TEST)), corpus, gold, stats.table());
    }
}
