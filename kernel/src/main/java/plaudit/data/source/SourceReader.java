package plaudit.data.source;

import plaudit.data.DataStats;
import plaudit.data.io.InputFile;

/**
 * Reads one input file, streaming: constant memory whatever the file size. Each input record is counted as read
 * ({@code stats.countRead(RECORDS)}) and ends up either delivered to the sink or skipped with a reason; a file that cannot be
 * read at all (missing, truncated compressed data) is a {@link plaudit.UserError} after delivering the valid prefix.
 */
public interface SourceReader {
    void read(InputFile in, RecordSink sink, DataStats stats);
}
