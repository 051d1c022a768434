package plaudit.experiment;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The methods table is a list of rows: it survives a round trip (NaN win rates included) and plots every method. */
class MethodsTableTest {

    @Test
    void rowsRoundTripThroughTheTableAndThePlotNamesEveryMethod() {
        List<Methods.Row> rows = List.of(
                new Methods.Row("sft", 0, -2.2, 0, 0.5, 70),
                new Methods.Row("best-of-1", 0, -2.1, -0.2, Double.NaN, 0.3),
                new Methods.Row("best-of-4", 0.636, -2.0, 0.5, Double.NaN, 0.3),
                new Methods.Row("dpo", 0.44, -1.86, -0.1, 0.83, 15));
        Table t = Methods.table(rows);
        assertEquals(List.of("method", "kl", "gold", "proxy", "win_rate_vs_sft", "seconds"), t.columnNames());
        List<Methods.Row> back = Methods.rows(t);
        assertEquals(rows.size(), back.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i).method(), back.get(i).method());
            assertEquals(rows.get(i).winRateVsSft(), back.get(i).winRateVsSft(), 0.0);
            assertEquals(rows.get(i).gold(), back.get(i).gold(), 0.0);
        }
        String svg = Methods.plot(back).toSvg();
        for (String name : List.of("best-of-n", "sft", "dpo", "SFT")) assertTrue(svg.contains(name), name);
    }
}
