package plaudit.cli;

import picocli.CommandLine.Option;
import plaudit.model.FolderTokenizer;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.nio.file.Path;

/**
 * {@code --no-chat-template} (a picocli mixin): whether prompts and replies go through the model folder's chat
 * template, which is on by default where the folder has one.
 */
public final class ChatTemplateOption {
    @Option(names = "--no-chat-template", description = "Give prompts and replies as plain text (the reply followed by "
            + "end-of-text) even when the model folder's tokenizer has a chat template. By default a template's folder "
            + "asks each prompt as a user turn, ends each reply with the template's end-of-turn token and stops "
            + "sampling there; resuming a run needs the same choice.")
    boolean off;

    /** How {@code dir}'s model is asked and how its replies end, with its tokenizer {@code tok}. */
    Turns turns(Path dir, Tokenizer tok) {
        return turns(dir, tok, FolderTokenizer.stopIds(tok));
    }

    /** As {@link #turns(Path, Tokenizer)}, plain text stopping at {@code plainStopIds}. */
    Turns turns(Path dir, Tokenizer tok, int[] plainStopIds) {
        return Turns.inFolder(dir, tok, plainStopIds, !off);
    }
}
