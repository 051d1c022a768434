package plaudit.data.source;

import org.junit.jupiter.api.Test;
import plaudit.data.Fixtures;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShpReaderTest {
    @Test
    void labelsPickTheChosenSide() {
        Fixtures.Collected got = Fixtures.read(new ShpReader(), Fixtures.path("shp/askculinary_train.jsonl"));
        assertEquals(6, got.records());
        assertEquals(4, got.pairs.size());
        assertEquals(1, got.skipped(SkipReason.MISSING_FIELD), "score_B absent");
        assertEquals(1, got.skipped(SkipReason.WRONG_TYPE), "labels is not 0/1");

        PreferencePair a = got.pairs.get(0); // labels 1: A preferred
        assertEquals("r/askculinary\nPOST: Why does my garlic burn? I keep burning garlic in the pan, what am I doing wrong?\nREPLY:", a.prompt());
        assertEquals("Lower the heat and add it later.", a.chosen());
        assertEquals(10, a.scoreChosen());
        assertEquals(3, a.scoreRejected());
        assertEquals(1636822112L, a.timeChosen());
        assertEquals("t3_qt3nxl", a.threadId(), "same thread id as the Reddit reader");
        assertEquals("askculinary", a.community());

        PreferencePair b = got.pairs.get(1); // labels 0: B preferred
        assertEquals("Lower the heat and add it later.", b.chosen());
        assertEquals("Garlic is delicate.", b.rejected());
        assertEquals(1636822000L, b.timeRejected());
        assertEquals("askculinary", got.pairs.get(3).community(), "the _validation suffix is not part of the subreddit");
    }
}
