package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import plaudit.UserError;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One directory = one model. The directory is a Hugging Face GPT-2 folder that {@code GPT2LMHeadModel.from_pretrained}
 * loads as it is: {@code config.json} (GPT2Config), {@code model.safetensors} (HF names) and {@code tokenizer.json}.
 * Plaudit keeps its own state beside them: named safetensors files ({@code optimizer.safetensors},
 * {@code value_head.safetensors}) and named JSON files ({@code trainer_state.json}), which {@link FolderState} reads in
 * a folder of any family.
 *
 * <p>{@link Writer#model} writes a model of any family: a GPT-2 folder as above, or a Llama-family folder
 * ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}, {@code Qwen3ForCausalLM}) that {@link ModelFolder#open} reads;
 * {@link #read} reads GPT-2 folders only.
 *
 * <p>Writing is atomic ({@link AtomicDirectory}): a crash leaves either the old or the new checkpoint, never a mixture.
 *
 * <pre>{@code
 * Checkpoint.writer().config(cfg).parameters(model.parameters()).tokenizer(tok)
 *         .tensors("optimizer", adamState).json("trainer_state", Map.of("step", 1200)).write(dir);
 * Checkpoint ckpt = Checkpoint.read(dir);
 * Map<String, NDArray> params = ckpt.parameters(manager);
 * }</pre>
 */
public final class Checkpoint {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String VOCAB = "vocab.json";
    public static final String MERGES = "merges.txt";

    private static final Pattern STATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final GptConfig config;
    private final OptionalInt eosTokenId;
    private final TokenizerFiles tokenizerFiles;
    private final FolderState state;

    private Checkpoint(Path dir, GptConfig config, OptionalInt eosTokenId, TokenizerFiles tokenizerFiles,
                       FolderState state) {
        this.dir = dir;
        this.config = config;
        this.eosTokenId = eosTokenId;
        this.tokenizerFiles = tokenizerFiles;
        this.state = state;
    }

    /**
     * The tokenizer files present in a checkpoint directory; absent ones are null. A Plaudit checkpoint has
     * {@code tokenizer.json}; an HF folder may instead have the GPT-2 pair {@code vocab.json} + {@code merges.txt}.
     */
    public record TokenizerFiles(Path tokenizerJson, Path vocabJson, Path mergesTxt) {
        public boolean hasVocabAndMerges() {
            return vocabJson != null && mergesTxt != null;
        }

        public boolean isEmpty() {
            return tokenizerJson == null && vocabJson == null && mergesTxt == null;
        }

        /** File names present, e.g. {@code [vocab.json, merges.txt]}. */
        public List<String> present() {
            List<String> names = new ArrayList<>();
            for (Path p : new Path[] {tokenizerJson, vocabJson, mergesTxt}) if (p != null) names.add(p.getFileName().toString());
            return names;
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Opens a checkpoint: reads {@code config.json} and checks every name and shape in {@code model.safetensors}
     * against it. Tensors are loaded only when asked for.
     */
    public static Checkpoint read(Path dir) {
        FolderState state = FolderState.read(dir);
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new UserError(dir + ": not a model checkpoint, " + CONFIG + " is missing (found: " + listing(dir)
                    + "). A checkpoint is a Hugging Face GPT-2 folder with " + CONFIG + " and " + WEIGHTS);
        }
        GptConfig config = HfGpt2.readConfig(configFile);
        Path weights = weightsFile(dir);
        try (Safetensors.Reader reader = Safetensors.open(weights)) {
            HfGpt2.checkFile(reader, config);
        }
        return new Checkpoint(dir, config, HfGpt2.readEosTokenId(configFile), tokenizerFiles(dir), state);
    }

    private static Path weightsFile(Path dir) {
        Path weights = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(weights)) return weights;
        if (Files.exists(dir.resolve(WEIGHTS + ".index.json"))) {
            throw new UserError(dir + ": the weights are sharded (" + WEIGHTS + ".index.json); Plaudit reads one "
                    + WEIGHTS + ". Re-save the model with save_pretrained(dir, max_shard_size=\"20GB\")");
        }
        if (Files.exists(dir.resolve("pytorch_model.bin"))) {
            throw new UserError(dir + ": has pytorch_model.bin but no " + WEIGHTS + "; Plaudit reads only safetensors."
                    + " Convert with GPT2LMHeadModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)");
        }
        throw new UserError(dir + ": " + WEIGHTS + " is missing (found: " + listing(dir) + ")");
    }

    private static TokenizerFiles tokenizerFiles(Path dir) {
        return new TokenizerFiles(ifFile(dir.resolve(TOKENIZER)), ifFile(dir.resolve(VOCAB)), ifFile(dir.resolve(MERGES)));
    }

    private static Path ifFile(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    public Path dir() {
        return dir;
    }

    public GptConfig config() {
        return config;
    }

    /** {@code eos_token_id} of config.json, when it has one. */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }

    /**
     * The model's parameters as float32 NDArrays owned by {@code manager}, keyed by HF names with the prefix; refused
     * when they do not fit the manager's device or hold NaN or infinity.
     */
    public Map<String, NDArray> parameters(NDManager manager) {
        ModelBudget.checkFits(config, manager.getDevice(), ModelBudget.WEIGHT_BYTES_PER_PARAMETER, "loading");
        try (Safetensors.Reader reader = Safetensors.open(dir.resolve(WEIGHTS))) {
            return HfGpt2.loadParameters(reader, config, manager);
        }
    }

    public TokenizerFiles tokenizerFiles() {
        return tokenizerFiles;
    }

    /**
     * The model's tokenizer, from {@code tokenizer.json} or else from GPT-2's {@code vocab.json} + {@code merges.txt};
     * an error naming the tokenizer files present when there is neither.
     */
    public Tokenizer tokenizer() {
        if (tokenizerFiles.tokenizerJson() != null) return ByteLevelBpe.fromTokenizerJson(tokenizerFiles.tokenizerJson());
        if (tokenizerFiles.hasVocabAndMerges()) {
            return ByteLevelBpe.fromGpt2Files(tokenizerFiles.vocabJson(), tokenizerFiles.mergesTxt());
        }
        throw new UserError(dir + ": has no tokenizer (" + TOKENIZER + ", or " + VOCAB + " + " + MERGES + ")"
                + (tokenizerFiles.isEmpty() ? "" : "; found only " + tokenizerFiles.present())
                + ". Save the checkpoint with its tokenizer");
    }

    /** The model itself, on {@code device}. */
    public Gpt model(Device device) {
        ModelBudget.checkFits(config, device, ModelBudget.WEIGHT_BYTES_PER_PARAMETER, "loading"); // parameters() checks the CPU copy
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            return Gpt.fromParameters(config, parameters(staging), device);
        }
    }

    /** Names of the extra tensor files (e.g. {@code optimizer} for {@code optimizer.safetensors}). */
    public Set<String> tensorNames() {
        return state.tensorNames();
    }

    /** The tensors of {@code <name>.safetensors} as float32 NDArrays owned by {@code manager}. */
    public Map<String, NDArray> tensors(String name, NDManager manager) {
        return state.tensors(name, manager);
    }

    /** Names of the Plaudit JSON files (e.g. {@code trainer_state}); HF's own JSON files are not listed. */
    public Set<String> jsonNames() {
        return state.jsonNames();
    }

    public JsonNode json(String name) {
        return state.json(name);
    }

    /** {@code <name>.json} bound to a type with Jackson (records, maps, beans). */
    public <T> T json(String name, Class<T> type) {
        return state.json(name, type);
    }

    // ---------------------------------------------------------------- writing

    public static Writer writer() {
        return new Writer();
    }

    /**
     * Collects a checkpoint's parts, then {@link #write(Path)}s them atomically. Config and parameters are required.
     * Tensor maps are copied when written (keep them open until then); JSON values are converted when added.
     */
    public static final class Writer {
        private CausalLm model;
        private GptConfig config;
        private Map<String, NDArray> parameters;
        private Safetensors.DType weightsType = Safetensors.DType.F32;
        private Tokenizer tokenizer;
        private TokenizerFiles tokenizerFiles;
        private Integer eosTokenId;
        private final Map<String, Map<String, NDArray>> tensors = new LinkedHashMap<>();
        private final Map<String, JsonNode> jsons = new LinkedHashMap<>();

        private Writer() {
        }

        /**
         * The model, of any family: {@code config.json} from its {@link CausalLm#base()} (GPT-2's GPT2Config, a
         * Llama-family config), {@code model.safetensors} from its {@link CausalLm#weights}, taken when written.
         * Instead of {@link #config} and {@link #parameters}.
         */
        public Writer model(CausalLm m) {
            this.model = m;
            return this;
        }

        public Writer config(GptConfig cfg) {
            this.config = cfg;
            return this;
        }

        /** The model's parameters, HF names (with or without {@code transformer.}) and layouts. */
        public Writer parameters(Map<String, NDArray> params) {
            this.parameters = params;
            return this;
        }

        /** Storage type of {@code model.safetensors}: F32 (default, exact) or F16/BF16 for a smaller export. */
        public Writer weightsType(Safetensors.DType type) {
            if (!type.writable()) throw new IllegalArgumentException("weights can be F32, F16 or BF16, not " + type);
            this.weightsType = type;
            return this;
        }

        /**
         * Saves this tokenizer as {@code tokenizer.json}; its end-of-text id becomes bos/eos in a GPT-2 config.json. A
         * {@link FolderTokenizer} brings its folder's files and token ids along.
         */
        public Writer tokenizer(Tokenizer tok) {
            this.tokenizer = tok;
            return this;
        }

        /** Copies existing tokenizer files (e.g. from another checkpoint) instead of saving a {@link Tokenizer}. */
        public Writer tokenizerFiles(TokenizerFiles files) {
            this.tokenizerFiles = files;
            return this;
        }

        /** bos/eos id for config.json when no {@link #tokenizer(Tokenizer)} gives one. */
        public Writer eosTokenId(int id) {
            this.eosTokenId = id;
            return this;
        }

        /** Extra Plaudit state written as {@code <name>.safetensors}. */
        public Writer tensors(String name, Map<String, NDArray> arrays) {
            checkStateName(name);
            if (name.equals("model") || name.startsWith("model-")) {
                throw new IllegalArgumentException("'" + name + "' is reserved for the model weights");
            }
            if (tensors.putIfAbsent(name, arrays) != null) throw new IllegalArgumentException("tensors '" + name + "' added twice");
            return this;
        }

        /** Extra Plaudit state written as {@code <name>.json}: a Jackson tree, a map, a record… */
        public Writer json(String name, Object value) {
            checkStateName(name);
            if (FolderState.HF_JSON.contains(name)) throw new IllegalArgumentException("'" + name + ".json' is a Hugging Face file");
            if (jsons.putIfAbsent(name, JSON.valueToTree(value)) != null) {
                throw new IllegalArgumentException("json '" + name + "' added twice");
            }
            return this;
        }

        private static void checkStateName(String name) {
            if (!STATE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("state name '" + name + "' must match " + STATE_NAME);
            }
        }

        /**
         * Writes the checkpoint to {@code dir}, replacing what is there. Refuses to replace a non-empty directory
         * that is not a checkpoint (no config.json), so a wrong path cannot wipe unrelated files.
         */
        public void write(Path dir) {
            if (model == null && (config == null || parameters == null)) {
                throw new IllegalStateException("a model, or config and parameters, are required");
            }
            if (model != null && (config != null || parameters != null)) {
                throw new IllegalStateException("give either a model or config and parameters, not both");
            }
            if (tokenizer != null && tokenizerFiles != null) {
                throw new IllegalStateException("give either a tokenizer or tokenizer files, not both");
            }
            Path target = dir.toAbsolutePath().normalize();
            // a LoRA model's merged weights are new arrays: they live in a scope closed once written
            try (NDManager scope = model == null ? null : model.manager().newSubManager()) {
                CausalLm base = model == null ? null : model.base();
                Map<String, NDArray> weights = model == null ? parameters : model.weights(scope);
                if (base instanceof Llama llama) {
                    Map<String, NDArray> params = LlamaCheckpoint.checkWeights(weights, llama.config(), "weights for " + dir);
                    AtomicDirectory.write(target, CONFIG, "a checkpoint", tmp -> {
                        writeInto(tmp, params);
                        LlamaCheckpoint.writeConfig(tmp, llama.config(), weightsType,
                                tokenizer instanceof FolderTokenizer f ? f.tokenIds() : null);
                    });
                    return;
                }
                GptConfig cfg = base == null ? config : gptConfig(base);
                Map<String, NDArray> params = HfGpt2.canonicalParameters(weights, cfg, "parameters for " + dir);
                AtomicDirectory.write(target, CONFIG, "a checkpoint", tmp -> {
                    Integer eos = writeInto(tmp, params);
                    writeJson(tmp.resolve(CONFIG), HfGpt2.configJson(cfg, eos, weightsType));
                });
            } catch (IOException e) {
                throw new UserError("cannot write checkpoint " + dir + " (" + e + "); check free disk space and"
                        + " permissions", e);
            }
        }

        private static GptConfig gptConfig(CausalLm base) {
            if (base instanceof Gpt gpt) return gpt.config();
            throw new IllegalArgumentException("cannot write a " + base.modelType() + " model ("
                    + base.getClass().getSimpleName() + "): Plaudit writes GPT-2 and Llama-family folders");
        }

        /** Everything but config.json; returns the end-of-text id a GPT-2 config.json names. */
        private Integer writeInto(Path tmp, Map<String, NDArray> params) throws IOException {
            Safetensors.writer().dtype(weightsType).tensors(params)
                    .metadata("format", "pt")   // transformers expects this marker on PyTorch safetensors
                    .write(tmp.resolve(WEIGHTS));
            for (Map.Entry<String, Map<String, NDArray>> t : tensors.entrySet()) {
                Safetensors.writer().tensors(t.getValue()).write(tmp.resolve(t.getKey() + ".safetensors"));
            }
            for (Map.Entry<String, JsonNode> j : jsons.entrySet()) {
                writeJson(tmp.resolve(j.getKey() + ".json"), j.getValue());
            }
            Integer eos = eosTokenId;
            if (tokenizer instanceof FolderTokenizer f) {
                for (Map.Entry<String, byte[]> file : f.files().entrySet()) {
                    Files.write(tmp.resolve(file.getKey()), file.getValue());
                    AtomicDirectory.fsync(tmp.resolve(file.getKey()));
                }
            } else if (tokenizer != null) {
                Path file = tmp.resolve(TOKENIZER);
                tokenizer.save(file);
                AtomicDirectory.fsync(file);
            }
            if (tokenizer != null && tokenizer.eosId() >= 0) eos = tokenizer.eosId();
            if (tokenizerFiles != null) {
                for (Path source : new Path[] {tokenizerFiles.tokenizerJson(), tokenizerFiles.vocabJson(), tokenizerFiles.mergesTxt()}) {
                    if (source == null) continue;
                    Path copy = tmp.resolve(source.getFileName());
                    Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                    AtomicDirectory.fsync(copy);
                }
            }
            return eos;
        }

        static void writeJson(Path file, JsonNode value) throws IOException {
            Files.write(file, JSON.writeValueAsBytes(value));
            AtomicDirectory.fsync(file);
        }

    }

    private static String listing(Path dir) {
        List<String> names = FolderState.list(dir);
        return names.isEmpty() ? "nothing" : Safetensors.abbreviate(names);
    }
}
