package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.model.CausalLm;
import plaudit.model.Checkpoint;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.text.Tokenizer;
import plaudit.train.DpoTrainer;


/** {@code plaudit dpo}: Direct Preference Optimization of the SFT policy on the comparisons, no reward model. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = {"DPO (Rafailov et al. 2023) on the training comparisons of `plaudit pairs`: the policy starts "
                + "from the SFT checkpoint, which is also the frozen reference.",
                "Writes OUT/metrics.csv (TRL metric names: rewards/chosen, rewards/rejected, rewards/accuracies, "
                        + "rewards/margins, logps/*, eval_*), OUT/checkpoint/ (the policy) and OUT/dpo.svg.",
                "With --lora-rank the policy is the SFT model with adapters and the reference the same model without "
                        + "them (one copy of the weights); OUT/checkpoint/ holds the merged policy, OUT/adapter/ its "
                        + "adapters in PEFT's format."})
public final class DpoCommand extends ModelCommand<DpoTrainer.Config> {
    @Mixin
    StageOptions stage;
    @Mixin
    CheckpointSftOptions sft;
    @Mixin
    ChatTemplateOption chat;
    @Mixin
    LoraOptions lora;

    public DpoCommand() {
        super(DpoTrainer.Config.SETTINGS, DpoTrainer.Config.SEED);
    }

    @Override
    public Integer call() throws Exception {
        DpoTrainer.Config cfg = config();
        var dev = run.device();
        PairsInput data = stage.read();
        try (ModelInput in = ModelInput.open(sft.dir); CausalLm ref = in.model(dev);
             CausalLm policy = lora.policyOn(ref, () -> in.model(dev), run.seed());
             MetricsLog log = new MetricsLog("dpo", stage.out("metrics.csv"))) {
            Tokenizer tok = in.tok();
            new DpoTrainer(policy, ref, in.turns(chat), data.train(), data.splits().validation(), cfg).train(log);
            Checkpoint.writer().model(policy).tokenizer(tok).write(stage.out("checkpoint"));
            LoraOptions.writeAdapter(policy, stage.out, sft.dir);
            Plot.lines(log.table(), "step", "rewards/chosen", "rewards/rejected", "rewards/margins").toBuilder()
                    .title("DPO: implicit rewards of chosen and rejected replies").build().write(stage.out("dpo.svg"));
            System.out.println(Tables.readable(log.summary()).print());
        }
        System.out.println("metrics: " + stage.out("metrics.csv") + "\ncheckpoint: " + stage.out("checkpoint"));
        return 0;
    }
}
