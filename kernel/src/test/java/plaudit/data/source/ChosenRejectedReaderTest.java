package plaudit.data.source;

import org.junit.jupiter.api.Test;
import plaudit.data.Fixtures;
import plaudit.data.Hash64;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChosenRejectedReaderTest {
    @Test
    void sharedPrefixBecomesThePrompt() {
        Fixtures.Collected got = Fixtures.read(new ChosenRejectedReader(), Fixtures.path("pairs/hh.jsonl"));
        assertEquals(5, got.records());
        assertEquals(4, got.pairs.size());
        assertEquals(1, got.skipped(SkipReason.DIFFERS_BEFORE_LAST_TURN));

        PreferencePair single = got.pairs.get(0);
        assertEquals("Human: How do I boil an egg?\n\nAssistant:", single.prompt());
        assertEquals(" Put it in boiling water for nine minutes, then cool it in cold water.", single.chosen());
        assertEquals(" Eggs are laid by hens.", single.rejected());
        assertFalse(single.scored());
        assertEquals("pairs/" + Long.toHexString(Hash64.of(single.prompt())), single.threadId(),
                "without a thread id the thread is the prompt's hash, so repeated prompts stay in one split");

        PreferencePair multi = got.pairs.get(1);
        assertTrue(multi.prompt().endsWith("Human: Funny.\n\nAssistant:"), multi.prompt());
        assertEquals(" How about Sir Meows-a-Lot?", multi.chosen());
        assertNotEquals(single.threadId(), multi.threadId());

        assertEquals("", got.pairs.get(2).chosen(), "an empty final turn is delivered; the builder counts it");

        PreferencePair explicit = got.pairs.get(3);
        assertEquals("r/AskCulinary\nTITLE: Rice?\nPOST: How much water?\nREPLY:", explicit.prompt());
        assertEquals(12, explicit.scoreChosen());
        assertEquals("t3_rice01", explicit.threadId());
    }
}
