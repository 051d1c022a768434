package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.experiment.Experiment;
import plaudit.experiment.SftStage;
import plaudit.model.CausalLm;
import plaudit.report.MetricsLog;
import plaudit.report.Tables;
import plaudit.text.Tokenizer;
import tech.tablesaw.api.Table;

import java.nio.file.Path;

/** {@code plaudit sft}: supervised fine-tuning on (post → top-voted reply). */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = {"Supervised fine-tuning: the top-voted reply of each thread in the comparisons is the "
                + "demonstration; loss on the reply tokens only.",
                "Writes OUT/checkpoint/ and OUT/metrics.csv; with --lora-rank, OUT/checkpoint/ holds the merged model "
                        + "and OUT/adapter/ the adapters in PEFT's format."})
public final class SftCommand extends ModelCommand<Experiment.Sft> {
    @Mixin
    StageOptions stage;
    @Option(names = "--init", required = true, description = "Checkpoint to start from (e.g. train-lm's OUT/checkpoint), or a Hugging Face folder of a "
            + "gpt2, llama, qwen2 or qwen3 model with its tokenizer.json.")
    Path init;
    @Mixin
    ModelResponseOptions response;
    @Mixin
    ChatTemplateOption chat;
    @Mixin
    LoraOptions lora;

    public SftCommand() {
        super(Experiment.Sft.SETTINGS, null);
    }

    @Override
    public Integer call() throws Exception {
        PairsInput data = stage.read();
        // without LoRA model is base itself, closed twice: closing a model again does nothing
        try (ModelInput in = ModelInput.open(init); CausalLm base = in.model(run.device());
             CausalLm model = lora.wrap(base, run.seed())) {
            Tokenizer tok = in.tok();
            // the experiment's SFT stage and recipe: the same pairs, init and seed train the same model
            Table metrics = SftStage.train(model, in.turns(chat), data.splits(), config(),
                    response.maxResponse, run.seed(), stage.out("metrics.csv"));
            SftStage.write(model, tok, stage.out("checkpoint"));
            LoraOptions.writeAdapter(model, stage.out, init);
            System.out.println(Tables.readable(MetricsLog.summary(metrics)).print());
        }
        System.out.println("checkpoint: " + stage.out("checkpoint"));
        return 0;
    }
}
