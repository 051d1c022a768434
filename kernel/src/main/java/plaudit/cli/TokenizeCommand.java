package plaudit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.text.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code plaudit tokenize}: standard input → one JSON array of token ids on standard output, or back with
 * {@code --decode}. The input is taken byte for byte (no trimming, no newline handling), so that the ids are exactly
 * those of the text.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Encodes all of standard input (UTF-8) and prints the ids as one JSON array, e.g. [15496, 995], "
                + "without adding special tokens (BOS/EOS). With --decode, reads a JSON array of ids and prints the text.",
                "Give GPT-2's files (--vocab encoder.json --merges vocab.bpe) or any Hugging Face --tokenizer tokenizer.json "
                        + "(GPT-2, Llama 2 and 3, Qwen, ...)."})
public final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    TextTokenizerOptions files;

    @Option(names = "--decode", description = "read a JSON array of ids, print the text (without an added newline)")
    boolean decode;

    @Option(names = "--allow-special", description = "turn special tokens such as <|endoftext|> in the text into their ids")
    boolean allowSpecial;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = files.open();
        try {
            run(tokenizer);
        } finally {
            if (tokenizer instanceof AutoCloseable closeable) closeable.close();
        }
        return 0;
    }

    private void run(Tokenizer tokenizer) throws IOException {
        byte[] input = System.in.readAllBytes();
        PrintStream out = System.out;
        if (decode) {
            out.write(tokenizer.decode(readIds(input, tokenizer)).getBytes(StandardCharsets.UTF_8));
        } else {
            int[] ids = tokenizer.encode(utf8(input), allowSpecial);
            StringBuilder json = new StringBuilder(ids.length * 7 + 2).append('[');
            for (int i = 0; i < ids.length; i++) json.append(i == 0 ? "" : ", ").append(ids[i]);
            out.write(json.append("]\n").toString().getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
    }

    private static String utf8(byte[] input) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(input)).toString();
        } catch (CharacterCodingException e) {
            throw new UserError("standard input is not valid UTF-8; tokenize expects UTF-8 text", e);
        }
    }

    private int[] readIds(byte[] input, Tokenizer tokenizer) {
        JsonNode array;
        try {
            array = new ObjectMapper().readTree(input);
        } catch (JsonProcessingException e) {
            throw new UserError("standard input is not JSON (" + e.getOriginalMessage() + "); --decode expects an array "
                    + "of token ids such as [15496, 995]", e);
        } catch (IOException e) {
            throw new UserError("cannot read standard input (" + e + ")", e);
        }
        if (array == null || !array.isArray()) {
            throw new UserError("--decode expects a JSON array of token ids such as [15496, 995] on standard input");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || !tokenizer.isValidId(id.asInt())) {
                throw new UserError("element " + i + " of the ids, " + id + ", is not a token id of " + files.source()
                        + " (ids run from 0 to " + (tokenizer.vocabSize() - 1) + "); were the ids made with another tokenizer?");
            }
            ids[i] = id.asInt();
        }
        return ids;
    }
}
