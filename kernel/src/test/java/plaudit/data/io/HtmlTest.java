package plaudit.data.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HtmlTest {
    @Test
    void tagsBlocksAndEntities() {
        assertEquals("Para one with bold & a link.\n\nPara two.",
                Html.toText("<p>Para one   with <b>bold</b> &amp; <a href=\"x\">a link</a>.</p>\n<p>Para two.</p>"));
        assertEquals("It's / fine", Html.toText("It&#x27;s &#x2F; fine"));
        assertEquals("list:\n\n- one\n- two", Html.toText("list:<ul>\n<li>one</li>\n<li>two</li>\n</ul>"));
        assertEquals("code:\n\nfor x:\n    y", Html.toText("code:<pre><code>for x:\n    y</code></pre>"));
        assertEquals("a < b &unknown; c", Html.toText("a &lt; b &unknown; c"));
        assertEquals("5 < 6", Html.toText("5 < 6"), "a lone '<' is text");
    }

    @Test
    void redditMarkdownEscapes() {
        assertEquals("> quote & <tag>", Html.unescapeRedditMarkdown("&gt; quote &amp; &lt;tag&gt;"));
        assertEquals("&amp;", Html.unescapeRedditMarkdown("&amp;amp;"), "only one level of escaping is undone");
    }
}
