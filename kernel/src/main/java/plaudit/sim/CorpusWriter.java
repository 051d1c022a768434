package plaudit.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a forum as plain text for language-model pretraining: one document per thread — the title on the first
 * line, the post's body on the second, then each live human comment in time order, blank-line separated — and a
 * line {@code <|endoftext|>} after each document. Deleted and removed text and the AutoModerator's note are left out:
 * they are not the forum's language.
 */
public final class CorpusWriter {

    /** The line that ends every document. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private CorpusWriter() {}

    public static void write(Forum forum, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            write(forum, w);
        }
    }

    public static void write(Forum forum, Writer w) throws IOException {
        for (ForumThread thread : forum.threads()) {
            Post p = thread.post();
            w.write(p.title());
            w.write('\n');
            if (p.status() == Post.Status.LIVE) {
                w.write(p.text());
                w.write('\n');
            }
            for (Comment c : thread.comments()) {
                if (c.automod() || c.status() != Post.Status.LIVE) continue;
                w.write('\n');
                w.write(c.text());
                w.write('\n');
            }
            w.write(END_OF_TEXT);
            w.write('\n');
        }
    }
}
