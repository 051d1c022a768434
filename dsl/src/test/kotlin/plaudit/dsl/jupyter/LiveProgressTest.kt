package plaudit.dsl.jupyter

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.PrintStream

class LiveProgressTest {
    @Test
    fun `draws carriage-return lines on the stdout of the moment`() {
        val original = System.out
        val cell = ByteArrayOutputStream()
        val result = try {
            System.setOut(PrintStream(cell, true, "UTF-8")) // what the kernel does for each cell
            liveProgress("rollouts", total = 3) { p -> repeat(3) { p.set("reward", 0.5).step() }; "done" }
        } finally {
            System.setOut(original)
        }
        assertEquals("done", result)
        val text = cell.toString("UTF-8")
        assertTrue(text.startsWith("\rrollouts ["), text)
        assertTrue(text.contains("3/3 100%") && text.contains("reward=0.5000"), text)
        assertTrue(text.endsWith("\n"), text) // closed: the final line is ended
    }
}
