package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.text.Tokenizer;
import plaudit.train.DpoTrainer;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plaudit dpo}: Direct Preference Optimization of the SFT policy on the comparisons, no reward model. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = {"DPO (Rafailov et al. 2023) on the training comparisons of `plaudit pairs`: the policy starts "
                + "from the SFT checkpoint, which is also the frozen reference.",
                "Writes OUT/metrics.csv (TRL metric names: rewards/chosen, rewards/rejected, rewards/accuracies, "
                        + "rewards/margins, logps/*, eval_*), OUT/checkpoint/ (the policy) and OUT/dpo.svg."})
public final class DpoCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Mixin
    StageOptions stage;
    @Option(names = "--sft", required = true, description = "SFT checkpoint: the initial policy and the frozen reference.")
    Path sft;
    private final SettingOptions<DpoTrainer.Config> settings = new SettingOptions<>(DpoTrainer.Config.SETTINGS);
    /** One option per DPO setting that has one (--steps, --batch, --lr, --beta, …), defaults from DpoTrainer.Config. */
    @Mixin
    CommandSpec dpoOptions = settings.spec();

    @Override
    public Integer call() throws Exception {
        DpoTrainer.Config cfg = config();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(sft);
        Tokenizer tok = sftCkpt.tokenizer();
        PairsInput data = stage.read();
        try (Gpt ref = sftCkpt.model(dev); Gpt policy = sftCkpt.model(dev);
             MetricsLog log = new MetricsLog("dpo", stage.out("metrics.csv"))) {
            new DpoTrainer(policy, ref, tok, data.train(), data.splits().validation(), cfg).train(log);
            Checkpoint.writer().config(policy.config()).parameters(policy.parameters()).tokenizer(tok)
                    .write(stage.out("checkpoint"));
            Plot.lines(log.table(), "step", "rewards/chosen", "rewards/rejected", "rewards/margins").toBuilder()
                    .title("DPO: implicit rewards of chosen and rejected replies").build().write(stage.out("dpo.svg"));
            System.out.println(Tables.readable(log.summary()).print());
        }
        System.out.println("metrics: " + stage.out("metrics.csv") + "\ncheckpoint: " + stage.out("checkpoint"));
        return 0;
    }

    /** The DPO config the options give (the seed from --seed). */
    public DpoTrainer.Config config() {
        return settings.config(DpoTrainer.Config.SETTINGS.builder().set(DpoTrainer.Config.SEED, run.seed()));
    }
}
