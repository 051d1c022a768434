package plaudit.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HtmlTableTest {
    /** Each body row's cell texts. */
    static List<List<String>> bodyRows(Document doc) {
        List<List<String>> rows = new ArrayList<>();
        NodeList trs = ((Element) doc.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr");
        for (int i = 0; i < trs.getLength(); i++) {
            NodeList tds = ((Element) trs.item(i)).getElementsByTagName("td");
            List<String> cells = new ArrayList<>();
            for (int j = 0; j < tds.getLength(); j++) cells.add(tds.item(j).getTextContent());
            rows.add(cells);
        }
        return rows;
    }

    @Test
    void numbersAreRightAlignedToFourSignificantDigits() throws Exception {
        Table t = Table.create("scores",
                StringColumn.create("method", "ppo", "best-of-n", "sft", "rm"),
                DoubleColumn.create("gold", new double[]{0.123456, 12345.678, 1e-7, Double.NaN}),
                IntColumn.create("step", new int[]{3, 120000, -5, 0}));
        Document doc = PlotTest.parse(HtmlTable.render(t, 20));
        assertEquals("scores", doc.getElementsByTagName("caption").item(0).getTextContent());
        NodeList th = doc.getElementsByTagName("th");
        assertEquals(List.of("method", "gold", "step"), IntStream.range(0, 3).mapToObj(i -> th.item(i).getTextContent()).toList());
        assertEquals(List.of(
                List.of("ppo", "0.1235", "3"),
                List.of("best-of-n", "12350", "120000"),
                List.of("sft", "1e-07", "-5"),
                List.of("rm", "", "0")), bodyRows(doc)); // NaN is Tablesaw's missing value: an empty cell
        Element text = (Element) doc.getElementsByTagName("td").item(0), num = (Element) doc.getElementsByTagName("td").item(1);
        assertEquals("text-align:left", text.getAttribute("style"));
        assertEquals("text-align:right", num.getAttribute("style"));
    }

    @Test
    void numberFormat() {
        assertEquals("0.5", HtmlTable.number(0.5));
        assertEquals("-2.346", HtmlTable.number(-2.3456));
        assertEquals("0.0001235", HtmlTable.number(1.23456e-4));
        assertEquals("1.235e+06", HtmlTable.number(1234567.0));
        assertEquals("-1e-09", HtmlTable.number(-1e-9));
        assertEquals("inf", HtmlTable.number(Double.POSITIVE_INFINITY));
        assertEquals("0", HtmlTable.number(-0.0));
    }

    @Test
    void longTablesShowHeadAndTailAroundTheCount() throws Exception {
        Table t = Table.create("m", IntColumn.create("step", IntStream.range(0, 25).toArray()));
        List<List<String>> rows = bodyRows(PlotTest.parse(HtmlTable.render(t, 5)));
        assertEquals(List.of(List.of("0"), List.of("1"), List.of("2"), List.of("… 20 more rows"), List.of("23"), List.of("24")), rows);
        assertEquals(List.of(List.of("… 25 more rows")), bodyRows(PlotTest.parse(HtmlTable.render(t, 0))));
        assertEquals(25, bodyRows(PlotTest.parse(HtmlTable.render(t, 25))).size()); // exactly fits: no count line
        assertEquals(List.of("… 1 more row"), bodyRows(PlotTest.parse(HtmlTable.render(t, 24))).get(12));
        assertThrows(IllegalArgumentException.class, () -> HtmlTable.render(t, -1));
    }

    @Test
    void textIsEscaped() throws Exception {
        Table t = Table.create("<b>bold</b>", StringColumn.create("a&b", "<script>alert('x')</script>", "\"q\""));
        String html = HtmlTable.render(t, 10);
        assertFalse(html.contains("<script>") || html.contains("<b>"));
        Document doc = PlotTest.parse(html);
        assertEquals("<b>bold</b>", doc.getElementsByTagName("caption").item(0).getTextContent());
        assertEquals("a&b", doc.getElementsByTagName("th").item(0).getTextContent());
        assertEquals(List.of(List.of("<script>alert('x')</script>"), List.of("\"q\"")), bodyRows(doc));
    }
}
