package plaudit.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.UserError;
import plaudit.model.CausalLm;
import plaudit.model.FolderState;
import plaudit.model.LoraAdapters;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;
import plaudit.model.ScoreModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * PPO's and RLOO's score models with LoRA, as views on the one copy of the SFT base that the policy and the
 * reference share. A reward model that {@code train-rm --lora-rank} trained on the same SFT folder is its PEFT adapter
 * folder ({@code OUT/adapter}, beside the {@code --rm} checkpoint) plus its head: loaded as a view on the shared base it
 * scores as its merged checkpoint does, without a second copy of the base.
 */
final class LoraScoreModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraScoreModels() {
    }

    /**
     * The reward model of {@code rm}: a view on {@code base} (opened from {@code sft}) when {@code rm} has adapters
     * over the same base, else the whole checkpoint on {@code dev} (a reward model trained in full, or on another base).
     */
    static ScoreModel reward(Path rm, Path sft, CausalLm base, Device dev) {
        Path adapter = adapterOnSameBase(rm, sft);
        return adapter == null ? ScoreModel.load(rm, dev) : onBase(base, LoraLm.load(base, adapter), rm);
    }

    /**
     * PPO's value function as a head plus adapters on {@code base}: the reward model's own adapters and head when it has
     * adapters over the same base (the value function starts as the reward model, as it does without LoRA), else fresh
     * adapters of {@code lora} drawn from {@code seed} under the reward model's head.
     */
    static ScoreModel value(Path rm, Path sft, CausalLm base, LoraSettings lora, long seed) {
        Path adapter = adapterOnSameBase(rm, sft);
        return onBase(base, adapter != null ? LoraLm.load(base, adapter) : LoraLm.init(base,
                lora.config(base.modelType()), seed), rm);
    }

    /** {@code trunk} (taken over) under the head and readout of the reward-model checkpoint {@code rm}. */
    private static ScoreModel onBase(CausalLm base, LoraLm trunk, Path rm) {
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            FolderState state = FolderState.read(rm);
            Map<String, NDArray> head = state.tensors(ScoreModel.HEAD_FILE, staging);
            ScoreModel.Readout readout = state.jsonNames().contains(ScoreModel.HEAD_FILE)
                    ? ScoreModel.Readout.parse(state.json(ScoreModel.HEAD_FILE).path("readout").asText("last"))
                    : ScoreModel.Readout.LAST;
            return ScoreModel.withHead(trunk, head, readout);
        } catch (RuntimeException e) {
            trunk.close();
            throw e;
        }
    }

    /**
     * The PEFT adapter folder beside the reward-model checkpoint {@code rm} ({@code OUT/adapter} of train-rm) when its
     * {@code base_model_name_or_path} is the folder {@code sft} (the same path, or a folder with the same config and
     * weight files), else null.
     */
    static Path adapterOnSameBase(Path rm, Path sft) {
        Path adapter = rm.toAbsolutePath().normalize().resolveSibling(LoraOptions.ADAPTER);
        Path config = adapter.resolve(LoraAdapters.CONFIG);
        if (!Files.isRegularFile(config)) return null;
        try {
            JsonNode j = JSON.readTree(config.toFile());
            String named = j == null ? "" : j.path("base_model_name_or_path").asText("");
            if (named.isEmpty()) return null;
            Path base = Path.of(named);
            if (!Files.isDirectory(base)) return null;
            return Files.isSameFile(base, sft) || sameModelFiles(base, sft) ? adapter : null;
        } catch (IOException e) {
            throw new UserError(config + ": cannot read it (" + e.getMessage() + "); remove " + adapter + " to load the "
                    + "reward model whole, or run train-rm --lora-rank again");
        }
    }

    /** Whether two folders hold byte-identical config.json and weight files (a copied base). */
    private static boolean sameModelFiles(Path a, Path b) throws IOException {
        List<String> files = modelFiles(a);
        if (files.isEmpty() || !files.equals(modelFiles(b))) return false;
        for (String f : files) if (Files.mismatch(a.resolve(f), b.resolve(f)) != -1) return false;
        return true;
    }

    private static List<String> modelFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> f.equals("config.json") || f.matches("model.*\\.safetensors(\\.index\\.json)?"))
                    .sorted().toList();
        }
    }
}
