package plaudit.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import plaudit.UserError;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotTest {
    static final double NAN = Double.NaN;

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** The {@code <g class="series">} groups, in drawing order. */
    static List<Element> seriesGroups(Document doc) {
        List<Element> out = new ArrayList<>();
        NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (g.getAttribute("class").equals("series")) out.add(g);
        }
        return out;
    }

    static Element path(Element group, String cls) {
        NodeList ps = group.getElementsByTagName("path");
        for (int i = 0; i < ps.getLength(); i++) {
            Element p = (Element) ps.item(i);
            if (p.getAttribute("class").equals(cls)) return p;
        }
        return null;
    }

    static int count(String s, char c) {
        return (int) s.chars().filter(ch -> ch == c).count();
    }

    @Test
    void svgIsXmlWithOneNamedGroupAndPathPerSeries() throws Exception {
        double[] step = {0, 100, 200, 300};
        String svg = Plot.builder().title("PPO run").xLabel("step").yLabel("score")
                .line("reward", step, new double[]{0.1, 0.4, 0.6, 0.7})
                .points("gold", step, new double[]{0.1, 0.3, 0.35, 0.3})
                .linePoints("kl", step, new double[]{0, 1.5, 3, 6})
                .reference("noise ceiling", 0.8)
                .build().toSvg();
        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        List<Element> groups = seriesGroups(doc);
        assertEquals(3, groups.size());
        assertEquals(List.of("reward", "gold", "kl"),
                groups.stream().map(g -> g.getElementsByTagName("title").item(0).getTextContent()).toList());
        // LINE: a line path only; POINTS: markers only; LINE_POINTS: both. Every drawn path has all 4 points.
        assertEquals(4, count(path(groups.get(0), "line").getAttribute("d"), 'L') + 1);
        assertEquals(null, path(groups.get(0), "points"));
        assertEquals(null, path(groups.get(1), "line"));
        assertEquals(4, count(path(groups.get(1), "points").getAttribute("d"), 'M'));
        assertEquals(4, count(path(groups.get(2), "points").getAttribute("d"), 'M'));
        assertEquals(3, count(path(groups.get(2), "line").getAttribute("d"), 'L'));
        String text = doc.getDocumentElement().getTextContent();
        for (String s : List.of("PPO run", "step", "score", "reward", "gold", "kl", "noise ceiling")) {
            assertTrue(text.contains(s), s);
        }
    }

    @Test
    void dataMapsOntoThePlotAreaCorners() throws Exception {
        // data exactly on nice bounds: first point at the axes' origin corner, last at the top-right corner
        Document doc = parse(Plot.builder().line("y=x", new double[]{0, 10}, new double[]{0, 10}).build().toSvg());
        String axes = ((Element) doc.getElementsByTagName("path").item(0)).getAttribute("d"); // "M left top V bottom H right"
        String[] a = axes.substring(1).split("[ VH]");
        String d = path(seriesGroups(doc).get(0), "line").getAttribute("d");
        assertEquals("M" + a[0] + " " + a[2] + " L" + a[3] + " " + a[1], d);
    }

    @Test
    void nanIsAGapAndInfiniteOrNonPositiveLogValuesAreCounted() throws Exception {
        String svg = Plot.builder()
                .line("kl", new double[]{1, 2, 3, 4, 5, 6}, new double[]{1, 2, NAN, 4, 5, NAN})
                .line("lone", new double[]{1, 2, 3}, new double[]{NAN, 3, NAN})
                .build().toSvg();
        assertFalse(svg.contains("NaN"));
        List<Element> groups = seriesGroups(parse(svg));
        String d = path(groups.get(0), "line").getAttribute("d");
        assertEquals(2, count(d, 'M'), d);   // two runs: points 1-2 and 4-5
        assertEquals(2, count(d, 'L'), d);
        assertEquals(1, count(path(groups.get(1), "line").getAttribute("d"), 'M'));
        assertTrue(path(groups.get(1), "line").getAttribute("d").endsWith("h0")); // a lone point is drawn as a dot
        assertFalse(svg.contains("not shown"));

        String logSvg = Plot.builder().logX(true)
                .points("bon", new double[]{0, 0.5, 5, 50, Double.POSITIVE_INFINITY}, new double[]{1, 2, 3, 4, 5})
                .build().toSvg();
        assertFalse(logSvg.contains("Infinity"));
        assertEquals(3, count(path(seriesGroups(parse(logSvg)).get(0), "points").getAttribute("d"), 'M'));
        assertTrue(logSvg.contains("not shown: 1 infinite value, 1 point with x ≤ 0 (log x)"), logSvg);
    }

    @Test
    void textIsEscaped() throws Exception {
        String title = "a < b & \"c\" 'd' </svg>\u0001";
        String svg = Plot.builder().title(title).xLabel("<x>")
                .line("<script>alert(1)</script>", new double[]{1, 2}, new double[]{1, 2})
                .reference("ref & co", 1.5).build().toSvg();
        Document doc = parse(svg);
        assertFalse(svg.contains("<script>"));
        String text = doc.getDocumentElement().getTextContent();
        assertTrue(text.contains("a < b & \"c\" 'd' </svg>\uFFFD"), text); // the control character cannot be in XML
        assertTrue(text.contains("<script>alert(1)</script>"));
        assertTrue(text.contains("ref & co"));
        assertTrue(text.contains("<x>"));
    }

    @Test
    void emptyAndFlatPlotsStillRender() throws Exception {
        parse(Plot.builder().title("nothing yet").build().toSvg());
        parse(Plot.builder().line("all NaN", new double[]{NAN}, new double[]{NAN}).logX(true).build().toSvg());
        Document flat = parse(Plot.builder().line("flat", new double[]{1, 2, 3}, new double[]{5, 5, 5}).build().toSvg());
        String d = path(seriesGroups(flat).get(0), "line").getAttribute("d");
        assertEquals(1, count(d, 'M'));
        assertFalse(d.contains("NaN") || d.contains("Infinity"));
    }

    @Test
    void invalidSeriesAndSizesAreRejected() {
        Plot.Builder b = Plot.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.line("reward", new double[]{1, 2}, new double[]{1}));
        assertTrue(e.getMessage().contains("'reward'") && e.getMessage().contains("2") && e.getMessage().contains("1"));
        assertThrows(IllegalArgumentException.class, () -> b.reference("r", NAN));
        assertThrows(IllegalArgumentException.class, () -> b.size(10, 10));
    }

    @Test
    void builderCopiesArraysAndToBuilderKeepsEverything() throws Exception {
        double[] y = {1, 2, 3};
        Plot p = Plot.builder().title("t").line("a", new double[]{1, 2, 3}, y).build();
        String before = p.toSvg();
        y[0] = 100;
        assertEquals(before, p.toSvg());
        Plot q = p.toBuilder().reference("target", 2).build();
        assertEquals(before, p.toSvg()); // the original is unchanged
        String withRef = q.toSvg();
        assertTrue(withRef.contains("target") && withRef.contains("class=\"series\""));
    }

    @Test
    void linesFromATableWithMissingValues(@TempDir Path dir) throws Exception {
        IntColumn step = IntColumn.create("step", new int[]{0, 1, 2, 3, 4});
        DoubleColumn reward = DoubleColumn.create("reward", new double[]{0.1, 0.2, NAN, 0.4, 0.5});
        DoubleColumn kl = DoubleColumn.create("objective/kl", new double[]{0, 0.5, 1, 2, 4});
        Table t = Table.create("metrics", step, reward, kl, StringColumn.create("note", "a", "b", "c", "d", "e"));
        t.intColumn("step").setMissing(4);

        Plot all = Plot.lines(t, "step");
        List<Element> groups = seriesGroups(parse(all.toSvg()));
        assertEquals(2, groups.size()); // the string column is not plotted
        assertEquals("metrics", all.title());
        String rewardPath = path(groups.get(0), "line").getAttribute("d");
        assertEquals(2, count(rewardPath, 'M')); // NaN reward at step 2, missing step in the last row
        assertTrue(rewardPath.endsWith("h0"));

        Plot one = Plot.lines(t, "step", "objective/kl");
        assertTrue(one.toSvg().contains(">objective/kl</text>"));
        Path file = dir.resolve("plots/kl.svg");
        one.write(file);
        assertEquals(one.toSvg(), Files.readString(file));

        UserError missing = assertThrows(UserError.class, () -> Plot.lines(t, "step", "gold"));
        assertTrue(missing.getMessage().contains("'gold'") && missing.getMessage().contains("objective/kl"), missing.getMessage());
        UserError text = assertThrows(UserError.class, () -> Plot.lines(t, "note", "reward"));
        assertTrue(text.getMessage().contains("'note'") && text.getMessage().contains("not numeric"), text.getMessage());
    }

    @Test
    void axisTicksAreNiceNumbers() {
        Axis a = Axis.of(0, 0.93, false);
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1.0"), a.labels());
        assertEquals(0, a.lo());
        assertEquals(1.0, a.hi(), 1e-12);
        assertEquals(0.5, a.fraction(0.5), 1e-12);

        assertEquals(List.of("-300", "-200", "-100", "0", "100"), Axis.of(-260, 40, false).labels());
        assertEquals(List.of("4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"), Axis.of(5, 5, false).labels()); // flat: ±10%
        assertEquals(List.of("1.20e-5", "1.22e-5", "1.24e-5", "1.26e-5"), Axis.of(1.2e-5, 1.26e-5, false).labels());

        Axis log = Axis.of(0.5, 2000, true);
        assertEquals(List.of("1", "10", "100", "1000"), log.labels());
        assertEquals(0.5, log.lo());
        assertEquals(1.0, log.fraction(2000), 1e-12);
        assertEquals(List.of("1", "2", "5", "10", "20", "50"), Axis.of(1, 60, true).labels());
        assertEquals(List.of("1e-9", "1e-6", "0.001", "1", "1000", "1e6", "1e9"), // 18 decades: every 3rd
                Axis.of(1e-9, 1e9, true).labels());
    }
}
