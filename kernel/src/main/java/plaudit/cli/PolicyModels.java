package plaudit.cli;

import ai.djl.Device;
import plaudit.experiment.Recipe;
import plaudit.model.CausalLm;
import plaudit.model.ModelFolder;
import plaudit.model.ScoreModel;
import plaudit.reward.RewardModelScorer;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.util.List;

/**
 * What {@code plaudit ppo} and {@code plaudit rloo} train with, loaded alike from their {@link PolicyRunOptions}: the
 * training prompts, the policy and its frozen reference (both the SFT checkpoint), the reward model and, with
 * {@code --gold}, the synthetic forum's gold preference (else null), and how prompts and replies become ids (the SFT
 * folder's chat template unless {@code --no-chat-template}). Closing it closes the models and the tokenizer.
 */
record PolicyModels(Turns turns, List<String> prompts, CausalLm ref, CausalLm policy, ScoreModel reward,
                    GoldPreference gold)
        implements AutoCloseable {

    /**
     * Refuses a checkpoint interval that would save nothing and a {@code --resume} without a checkpoint, reads the
     * prompts, all before any model is loaded, then loads the models onto {@code dev}; a model that fails to load
     * closes the ones already loaded. With {@code lora} on, the SFT folder is loaded once: the reference is it, the
     * policy a LoRA view on it (adapters from {@code seed}), the reward model a view on it when it can be
     * ({@link LoraScoreModels#reward}).
     */
    static PolicyModels load(PolicyRunOptions io, Device dev, LoraOptions lora, long seed) {
        io.checkInterval();
        Tokenizer tok = ModelFolder.tokenizer(io.sft.dir);
        CausalLm ref = null;
        CausalLm policy = null;
        try {
            List<String> prompts = io.trainPrompts();
            Turns turns = io.chat.turns(io.sft.dir, tok);
            PolicyRunCli.checkResumable(io);
            ref = ModelFolder.open(io.sft.dir, dev);
            policy = lora.policyOn(ref, () -> ModelFolder.open(io.sft.dir, dev), seed);
            ScoreModel reward = lora.settings().enabled() ? LoraScoreModels.reward(io.rm, io.sft.dir, ref, dev)
                    : io.rewardModel(dev);
            return new PolicyModels(turns, prompts, ref, policy, reward,
                    io.gold ? new GoldPreference() : null);
        } catch (RuntimeException | Error e) {
            try (AutoCloseable t = closer(tok); CausalLm r = ref; CausalLm p = policy) {
                // closes what was opened, the last first
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The reward model as the trainers score with it: responses of {@code responseLength} tokens. */
    RewardModelScorer scorer(int responseLength) {
        return new RewardModelScorer(reward, turns, responseLength, Recipe.SCORER_BATCH);
    }

    @Override
    public void close() throws Exception {
        try (AutoCloseable t = closer(turns.tokenizer()); ref; policy; reward) {
            // closes all four, the last first, even when one of them fails
        }
    }

    /** Closes a tokenizer that holds native memory (Hugging Face's); the others hold none. */
    private static AutoCloseable closer(Tokenizer tok) {
        return tok instanceof AutoCloseable c ? c : () -> { };
    }
}
