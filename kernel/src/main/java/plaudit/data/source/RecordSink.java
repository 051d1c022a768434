package plaudit.data.source;

import plaudit.data.Comment;
import plaudit.data.Post;
import plaudit.data.PreferencePair;

/** Where readers deliver what they parse: thread records (posts, comments) or ready comparisons. */
public interface RecordSink {
    void post(Post post);

    void comment(Comment comment);

    void pair(PreferencePair pair);
}
