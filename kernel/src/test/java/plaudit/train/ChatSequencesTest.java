package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import plaudit.data.Comparison;
import plaudit.data.Split;
import plaudit.text.HfReference;
import plaudit.text.HfTokenizer;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What SFT, the reward model and DPO train on with a chat template: prompt ids then reply ids, as the template's author
 * says to apply it (one BOS, the end of turn in the reply, the loss on the reply only); and with plain turns, the ids
 * Plaudit always made.
 */
class ChatSequencesTest {
    private static final int BEGIN_OF_TEXT = 128000, EOT = 128009;
    private static final String Q = "How do I boil an egg?", CHOSEN = "Nine minutes in boiling water.", REJECTED = "Eggs.";
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

    private static Turns chat(String name, Tokenizer tok) {
        return Turns.chat(HfReference.chatFormat(name, tok));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long count(int[] ids, int id) {
        return IntStream.of(ids).filter(i -> i == id).count();
    }

    /** The ids SFT trains on and the targets its loss counts: exactly the reply's ids, its end of turn included. */
    private static void assertSftIs(Turns turns, int[] prompt, int[] reply) {
        List<Sequences.Seq> seqs = SftTrainer.tokenize(turns, List.of(new SftTrainer.Example(Q, CHOSEN)), 96, 64);
        assertArrayEquals(concat(prompt, reply), seqs.get(0).ids());
        assertEquals(prompt.length, seqs.get(0).promptLen());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray[] xym = Sequences.responseTargets(m, seqs, 0);
            long[] targets = xym[1].toLongArray();
            float[] mask = xym[2].toFloatArray();
            int[] learned = IntStream.range(0, mask.length).filter(i -> mask[i] == 1f).map(i -> (int) targets[i]).toArray();
            assertArrayEquals(reply, learned, "the loss is on the reply's ids, end included, and nothing else");
        }
    }

    @Test
    void llama3SftTrainsOnPromptIdsThenReplyIdsWithOneBos() {
        Turns chat = chat("llama3", llama3);
        int[] prompt = chat.promptIds(Q), reply = chat.replyIds(Q, CHOSEN);
        assertEquals(EOT, reply[reply.length - 1]);
        assertSftIs(chat, prompt, reply);
        int[] ids = SftTrainer.tokenize(chat, List.of(new SftTrainer.Example(Q, CHOSEN)), 96, 64).get(0).ids();
        assertEquals(BEGIN_OF_TEXT, ids[0]);
        assertEquals(1, count(ids, BEGIN_OF_TEXT), "one BOS");
        assertEquals(1, count(ids, EOT) - count(prompt, EOT), "one end of turn in the reply");
    }

    @Test
    void qwen3SftTrainsOnPromptIdsThenReplyIdsEndingWithImEnd() {
        Turns chat = chat("qwen3", qwen3);
        int imEnd = qwen3.encode("<|im_end|>", true)[0], endOfText = qwen3.encode("<|endoftext|>", true)[0];
        int[] prompt = chat.promptIds(Q), reply = chat.replyIds(Q, CHOSEN);
        assertEquals(imEnd, reply[reply.length - 1]);
        assertEquals(0, count(concat(prompt, reply), endOfText), "no extra <|endoftext|>");
        assertSftIs(chat, prompt, reply);
    }

    /** --no-chat-template: the prompt's text ids, then the reply's and end-of-text, as before templates. */
    @Test
    void plainSftIsTheTextsIdsAndEndOfText() {
        Turns plain = Sequences.plain(llama3);
        int[] reply = llama3.encode(CHOSEN);
        if (llama3.eosId() >= 0) reply = concat(reply, new int[] {llama3.eosId()});
        assertSftIs(plain, llama3.encode(Q), reply);
    }

    @Test
    void rewardModelAndDpoPairsArePromptIdsThenEachReplysIds() {
        Turns chat = chat("llama3", llama3);
        Comparison c = new Comparison(Q, CHOSEN, REJECTED, 10, 2, "t", "test", Split.TRAIN, Double.NaN);
        RewardTrainer.Pair pair = RewardTrainer.tokenize(chat, List.of(c), 96, 64).get(0);
        int[] prompt = chat.promptIds(Q);
        assertArrayEquals(concat(prompt, chat.replyIds(Q, CHOSEN)), pair.chosen().ids());
        assertArrayEquals(concat(prompt, chat.replyIds(Q, REJECTED)), pair.rejected().ids());
        assertEquals(prompt.length, pair.chosen().promptLen());
        // scored at the last token: the end of turn
        int last = Sequences.lastIndex(List.of(pair.chosen()))[0];
        assertEquals(EOT, pair.chosen().ids()[last]);
    }

    /** A context too short for the whole prompt keeps the template's BOS and headers, and the reply whole. */
    @Test
    void aShortContextShortensTheQuestionNotTheTemplate() {
        Turns chat = chat("llama3", llama3);
        String question = "Tell me everything about eggs, boiled, fried and poached, in great detail. ".repeat(5);
        Sequences.Seq seq = Sequences.join(chat, question, CHOSEN, 40, 64);
        int[] reply = chat.replyIds(question, CHOSEN);
        assertEquals(40, seq.length(), "filled to the context");
        assertEquals(BEGIN_OF_TEXT, seq.ids()[0]);
        assertArrayEquals(reply, Arrays.copyOfRange(seq.ids(), seq.promptLen(), seq.length()));
        int[] empty = chat.promptIds("");
        assertArrayEquals(Arrays.copyOfRange(empty, empty.length - 5, empty.length),
                Arrays.copyOfRange(seq.ids(), seq.promptLen() - 5, seq.promptLen()), "the assistant's header ends the prompt");
    }
}
