package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reward model's sequence score through its readout, and the readout's round trip through a checkpoint. */
class ScoreModelTest {
    /** Two right-padded rows: lengths 5 and 3 (last real tokens at 4 and 2), pad id 0. */
    private static final long[] IDS = {5, 9, 17, 3, 40, 7, 7, 21, 0, 0};
    private static final int[] LAST = {4, 2};

    @Test
    void lastReadsTheLastRealTokenAndMeanAveragesUpToIt() {
        try (ScoreModel last = ScoreModel.withNewHead(TinyModels.lively(3), 11);
             ScoreModel mean = ScoreModel.withNewHead(TinyModels.lively(3), 11, ScoreModel.Readout.MEAN);
             NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray ids = m.create(IDS, new Shape(2, 5));
            float[] all = last.scores(ids, null, false).toFloatArray();
            float[] l = last.sequenceScores(ids, null, LAST, false).toFloatArray();
            float[] a = mean.sequenceScores(ids, null, LAST, false).toFloatArray();
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                for (int t = 0; t <= LAST[b]; t++) sum += all[b * 5 + t];
                assertEquals(all[b * 5 + LAST[b]], l[b], 1e-6, "last, row " + b);
                assertEquals(sum / (LAST[b] + 1), a[b], 1e-5, "mean, row " + b);
            }
            // the padding after the last real token changes nothing
            assertTrue(Math.abs(a[1] - (all[5] + all[6] + all[7] + all[8] + all[9]) / 5) > 1e-4,
                    "the mean must leave out the padding");
        }
    }

    @Test
    void shiftMovesEitherReadoutByTheSameAmount() {
        try (ScoreModel mean = ScoreModel.withNewHead(TinyModels.lively(3), 11, ScoreModel.Readout.MEAN);
             NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray ids = m.create(IDS, new Shape(2, 5));
            float[] before = mean.sequenceScores(ids, null, LAST, false).toFloatArray();
            mean.shift(0.75);
            float[] after = mean.sequenceScores(ids, null, LAST, false).toFloatArray();
            for (int b = 0; b < 2; b++) assertEquals(before[b] + 0.75, after[b], 1e-5);
        }
    }

    @Test
    void aSavedReadoutIsReadBackAndOldCheckpointsReadTheLastToken(@TempDir Path dir) throws Exception {
        try (ScoreModel mean = ScoreModel.withNewHead(TinyModels.lively(3), 11, ScoreModel.Readout.MEAN);
             NDManager m = NDManager.newBaseManager("PyTorch")) {
            mean.save(dir.resolve("rm"), new CheckpointTest.FakeTokenizer("rm", false));
            NDArray ids = m.create(IDS, new Shape(2, 5));
            float[] expected = mean.sequenceScores(ids, null, LAST, false).toFloatArray();
            try (ScoreModel back = ScoreModel.load(dir.resolve("rm"), Device.cpu())) {
                assertEquals(ScoreModel.Readout.MEAN, back.readout());
                assertEquals(0, TinyModels.maxAbsDiff(expected, back.sequenceScores(ids, null, LAST, false).toFloatArray()), 1e-6);
            }
            // a reward model written before readouts existed has no score_head.json: it was read at the last token
            Files.delete(dir.resolve("rm/" + ScoreModel.HEAD_FILE + ".json"));
            try (ScoreModel old = ScoreModel.load(dir.resolve("rm"), Device.cpu())) {
                assertEquals(ScoreModel.Readout.LAST, old.readout());
                assertFalse(TinyModels.maxAbsDiff(expected, old.sequenceScores(ids, null, LAST, false).toFloatArray()) < 1e-4);
            }
        }
    }

    /** A head on a Llama trunk (head width = hidden_size) saves and loads as a Llama folder with the same scores. */
    @Test
    void aRewardModelOnALlamaTrunkReopensWithTheSameScores(@TempDir Path dir) {
        Path src = TinyLlamas.write(dir.resolve("src"), TinyLlamas.qwen3(), 4, Safetensors.DType.F32, 1);
        try (ScoreModel rm = ScoreModel.withNewHead(LlamaCheckpoint.read(src).model(Device.cpu()), 11,
                ScoreModel.Readout.MEAN); NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertEquals(new Shape(1, TinyLlamas.qwen3().hiddenSize()), rm.headParameters().get(ScoreModel.HEAD_WEIGHT).getShape());
            rm.shift(0.25);
            rm.save(dir.resolve("rm"), null);
            NDArray ids = m.create(IDS, new Shape(2, 5));
            float[] expected = rm.sequenceScores(ids, null, LAST, false).toFloatArray();
            try (ScoreModel back = ScoreModel.load(dir.resolve("rm"), Device.cpu())) {
                assertEquals("qwen3", back.trunk().modelType());
                assertEquals(ScoreModel.Readout.MEAN, back.readout());
                assertEquals(0, TinyModels.maxAbsDiff(expected, back.sequenceScores(ids, null, LAST, false).toFloatArray()), 0);
            }
        }
    }

    @Test
    void anUnknownReadoutIsNamedWithTheKnownOnes() {
        UserError e = assertThrows(UserError.class, () -> ScoreModel.Readout.parse("max"));
        assertTrue(e.getMessage().contains("'max'") && e.getMessage().contains("last or mean"), e.getMessage());
        assertEquals(ScoreModel.Readout.MEAN, ScoreModel.Readout.parse("Mean"));
    }
}
