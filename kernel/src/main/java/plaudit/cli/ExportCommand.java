package plaudit.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import plaudit.UserError;
import plaudit.model.Checkpoint;
import plaudit.model.FolderTokenizer;
import plaudit.model.Llama;
import plaudit.model.LlamaCheckpoint;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code plaudit export CHECKPOINT OUT}: copies the model of a checkpoint (or of any HF folder Plaudit reads: gpt2, llama,
 * qwen2, qwen3) to a plain Hugging Face folder, without Plaudit's training state, optionally in 16-bit, with the
 * tokenizer files. The result loads with {@code AutoModelForCausalLM.from_pretrained(OUT)}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a checkpoint's model as a plain Hugging Face folder of its family (config.json,"
                + " model.safetensors, tokenizer files), leaving out optimizer and trainer state.")
public final class ExportCommand implements Callable<Integer> {
    enum Precision {
        f32(Safetensors.DType.F32), bf16(Safetensors.DType.BF16), f16(Safetensors.DType.F16);

        final Safetensors.DType dtype;

        Precision(Safetensors.DType dtype) {
            this.dtype = dtype;
        }
    }

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "checkpoint or Hugging Face folder (gpt2, llama, qwen2, qwen3)")
    Path checkpoint;

    @Parameters(index = "1", paramLabel = "OUT", description = "folder to write (replaced atomically if it is a checkpoint)")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32",
            description = "weight precision: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, exact)")
    Precision precision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (checkpoint.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new UserError("OUT must differ from CHECKPOINT (" + out + "); export writes a new folder");
        }
        if (!ModelFolder.modelType(checkpoint).equals("gpt2")) return exportLlama();
        Checkpoint ckpt = Checkpoint.read(checkpoint);
        Checkpoint.TokenizerFiles tokenizer = ckpt.tokenizerFiles();
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            Map<String, NDArray> params = ckpt.parameters(manager);
            Checkpoint.Writer writer = Checkpoint.writer().config(ckpt.config()).parameters(params)
                    .weightsType(precision.dtype).tokenizerFiles(tokenizer);
            ckpt.eosTokenId().ifPresent(writer::eosTokenId);
            writer.write(out);
        }
        spec.commandLine().getOut().printf("exported %s (%,d parameters, %s) to %s%n", checkpoint, ckpt.config().parameterCount(),
                precision.dtype, out);
        if (tokenizer.isEmpty()) spec.commandLine().getErr().println("warning: " + checkpoint + " has no tokenizer files to export");
        return 0;
    }

    /** A Llama-family folder: its weights in the chosen precision, its tokenizer files and token ids as they are. */
    private int exportLlama() {
        LlamaCheckpoint ckpt = LlamaCheckpoint.read(checkpoint);
        boolean hasTokenizer = Files.isRegularFile(checkpoint.resolve(Checkpoint.TOKENIZER));
        try (FolderTokenizer tok = hasTokenizer ? FolderTokenizer.open(checkpoint) : null;
             Llama model = ckpt.model(Device.cpu())) {
            Checkpoint.writer().model(model).weightsType(precision.dtype).tokenizer(tok).write(out);
        }
        spec.commandLine().getOut().printf("exported %s (%,.0f parameters, %s) to %s%n", checkpoint,
                ckpt.config().parameterCount(), precision.dtype, out);
        if (!hasTokenizer) spec.commandLine().getErr().println("warning: " + checkpoint + " has no tokenizer files to export");
        return 0;
    }
}
