package plaudit.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain and chat turns on the real Llama 3 and Qwen 3 tokenizers: the ids of prompts and replies, and how they end. */
class TurnsTest {
    static final int BEGIN_OF_TEXT = 128000, EOT = 128009, END_OF_TEXT = 128001;
    static HfTokenizer llama3, qwen3;

    @BeforeAll
    static void load() {
        llama3 = HfTokenizer.load(HfReference.tokenizerJson("llama3"));
        qwen3 = HfTokenizer.load(HfReference.tokenizerJson("qwen3"));
    }

    @AfterAll
    static void close() {
        llama3.close();
        qwen3.close();
    }

    static Turns chat(String name, Tokenizer tok) {
        return Turns.chat(HfReference.chatFormat(name, tok));
    }

    private static long count(int[] ids, int id) {
        return IntStream.of(ids).filter(i -> i == id).count();
    }

    private static int[] concat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Plain turns are the text's ids, the reply's then end-of-text, the prompt cut from the left: what Plaudit always did. */
    @Test
    void plainTurnsAreTheTextsIdsAndEndOfText() {
        Turns plain = Turns.plain(llama3, new int[] {END_OF_TEXT, EOT});
        assertFalse(plain.chatTemplate());
        int[] prompt = llama3.encode("Why is the sky blue?");
        assertArrayEquals(prompt, plain.promptIds("Why is the sky blue?"));
        assertArrayEquals(Arrays.copyOfRange(prompt, prompt.length - 3, prompt.length), plain.promptIds("Why is the sky blue?", 3));
        int[] reply = llama3.encode("Rayleigh scattering.");
        assertArrayEquals(llama3.eosId() >= 0 ? concat(reply, llama3.eosId()) : reply,
                plain.replyIds("Why is the sky blue?", "Rayleigh scattering."));
        assertArrayEquals(new int[] {END_OF_TEXT, EOT}, plain.stopIds());
        assertEquals("Rayleigh scattering.", plain.replyText(concat(reply, EOT), true));
        assertEquals("Rayleigh scattering.", plain.replyText(reply, false));
    }

    /** Llama 3: one BOS (the template's), the assistant's header last; the reply ends with <|eot_id|>, where sampling stops. */
    @Test
    void llama3ChatTurns() {
        Turns chat = chat("llama3", llama3);
        assertTrue(chat.chatTemplate());
        int[] prompt = chat.promptIds("Why is the sky blue?");
        assertEquals(BEGIN_OF_TEXT, prompt[0]);
        assertEquals(1, count(prompt, BEGIN_OF_TEXT));
        assertArrayEquals(llama3.encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?"
                + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", true), prompt);
        int[] reply = chat.replyIds("Why is the sky blue?", "Rayleigh scattering.");
        assertArrayEquals(concat(llama3.encode("Rayleigh scattering."), EOT), reply);
        assertEquals(EOT, chat.stopIds()[0]);
        assertEquals("Rayleigh scattering.", chat.replyText(reply, true));
    }

    /** Qwen 3: no BOS; the reply ends with <|im_end|> (not the newline after it), where sampling stops. */
    @Test
    void qwen3ChatTurns() {
        Turns chat = chat("qwen3", qwen3);
        int imStart = qwen3.encode("<|im_start|>", true)[0], imEnd = qwen3.encode("<|im_end|>", true)[0];
        int[] prompt = chat.promptIds("Why is the sky blue?");
        assertEquals(imStart, prompt[0]);
        int[] reply = chat.replyIds("Why is the sky blue?", "Rayleigh scattering.");
        assertEquals(imEnd, reply[reply.length - 1]);
        assertEquals(1, count(reply, imEnd));
        assertEquals(imEnd, chat.stopIds()[0]);
        assertEquals("Rayleigh scattering.", chat.replyText(reply, true));
    }

    /**
     * A question too long for the room left loses its beginning, not the template's: BOS and the user's header stay
     * first, the assistant's header last, and as much of the question's end as fits is kept.
     */
    @Test
    void aLongChatPromptLosesTheQuestionsStartNotTheTemplate() {
        Turns chat = chat("llama3", llama3);
        String question = "one two three four five six seven eight nine ten ".repeat(10) + "END";
        int[] empty = chat.promptIds("");
        int[] cut = chat.promptIds(question, 30);
        assertTrue(cut.length <= 30 && cut.length >= 28, cut.length + " ids");
        assertArrayEquals(Arrays.copyOf(empty, 5), Arrays.copyOf(cut, 5), "BOS and the user's header");
        assertArrayEquals(Arrays.copyOfRange(empty, empty.length - 5, empty.length),
                Arrays.copyOfRange(cut, cut.length - 5, cut.length), "end of turn and the assistant's header");
        assertEquals(1, count(cut, BEGIN_OF_TEXT));
        assertTrue(llama3.decode(cut).contains("nine ten END<|eot_id|>"), llama3.decode(cut));
        assertArrayEquals(chat.promptIds(question), chat.promptIds(question, 1000), "a prompt that fits is whole");
    }

    @Test
    void aContextTooShortForTheTemplateIsRefusedNamingTheWayOut() {
        Turns chat = chat("llama3", llama3);
        UserError e = assertThrows(UserError.class, () -> chat.promptIds("Why is the sky blue?", 4));
        assertTrue(e.getMessage().contains("--no-chat-template"), e.getMessage());
    }
}
