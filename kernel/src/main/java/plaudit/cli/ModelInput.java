package plaudit.cli;

import ai.djl.Device;
import plaudit.model.CausalLm;
import plaudit.model.ModelFolder;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.nio.file.Path;

/**
 * A model folder of any supported family that a command starts from ({@code --init}, {@code --sft}): its tokenizer,
 * opened once, and its model, opened as often as the command needs a copy. Closing it closes the tokenizer.
 */
record ModelInput(Path dir, Tokenizer tok) implements AutoCloseable {

    /** The folder's tokenizer ({@link ModelFolder#tokenizer}); its model is read by {@link #model}. */
    static ModelInput open(Path dir) {
        return new ModelInput(dir, ModelFolder.tokenizer(dir));
    }

    /** How the folder's model is asked and how its replies end: its chat template unless {@code chat} turns it off. */
    Turns turns(ChatTemplateOption chat) {
        return chat.turns(dir, tok);
    }

    /** A new copy of the folder's model on {@code device}. */
    CausalLm model(Device device) {
        return ModelFolder.open(dir, device);
    }

    @Override
    public void close() throws Exception {
        if (tok instanceof AutoCloseable c) c.close();
    }
}
