package plaudit.data;

/**
 * Why a record, post, comment or candidate pair was not used. Every skip is counted under one of these, so the
 * statistics account for every input line. Ordered roughly by pipeline stage.
 */
public enum SkipReason {
    // -- reading (unit: records)
    BLANK_LINE("blank_line", "empty line"),
    LINE_TOO_LONG("line_too_long", "line or CSV record longer than 8 MiB (not a real record)"),
    INVALID_UTF8("invalid_utf8", "bytes that are not UTF-8 (a damaged file, or another encoding)"),
    NESTING_TOO_DEEP("nesting_too_deep", "JSON nested deeper than 1000 levels (not a real record)"),
    TOO_MANY_REPLIES("too_many_replies", "an HN item listing more than 100,000 kids (not a real thread)"),
    INVALID_JSON("invalid_json", "not valid JSON (truncated line, garbage, bad encoding)"),
    INVALID_XML("invalid_xml", "not a well-formed <row/> element (truncated, bad entity, garbage)"),
    NOT_AN_OBJECT("not_an_object", "JSON value is not an object"),
    MISSING_FIELD("missing_field", "a required field is absent or null"),
    WRONG_TYPE("wrong_type", "a field has a type or value that cannot be used"),
    NON_FINITE_NUMBER("non_finite_number", "a number that is NaN or infinite, or overflows a double (1e400)"),
    UNKNOWN_RECORD("unknown_record", "neither a post nor a comment (e.g. a tag wiki, a job ad, a poll option)"),
    // -- posts
    DUPLICATE_POST("duplicate_post", "the same post appeared again (overlapping dumps); the first copy is used"),
    POST_REMOVED("post_removed", "the post's text was deleted or removed"),
    NOT_SELF_POST("not_self_post", "a link post: the replies may be about content the prompt does not contain"),
    POST_NSFW("post_nsfw", "post marked over-18"),
    POST_EDITED("post_edited", "post edited after replies were written: replies may answer a different text"),
    POST_SCORE_BELOW_MIN("post_score_below_min", "post score below --min-post-score"),
    PROMPT_TOO_LONG("prompt_too_long", "prompt longer than --max-prompt-tokens"),
    TOO_FEW_COMMENTS("too_few_comments", "fewer than two usable comments left, so no pair"),
    // -- comments
    ORPHAN_COMMENT("orphan_comment", "its post is not in the input (for HN also replies to comments: items carry no story id)"),
    POST_SKIPPED("post_skipped", "its post was skipped"),
    DUPLICATE_COMMENT("duplicate_comment", "the same comment id appeared again"),
    DELETED_TEXT("deleted_text", "text is [deleted]/[removed] (or deleted/dead on HN)"),
    DELETED_AUTHOR("deleted_author", "author account deleted"),
    BOT("bot", "author matches --bot-pattern (AutoModerator, *bot, Stack Exchange's Community user)"),
    OP_REPLY("op_reply", "written by the post's author"),
    NOT_TOP_LEVEL("not_top_level", "a reply to a comment (only top-level comments are compared unless --all-depths)"),
    SCORE_BELOW_MIN("score_below_min", "score below --min-comment-score"),
    EMPTY_TEXT("empty_text", "no text"),
    TOO_SHORT("too_short", "fewer tokens than --min-tokens"),
    TOO_LONG("too_long", "more tokens than --max-tokens"),
    DUPLICATE_TEXT("duplicate_text", "same text as an earlier comment on the same post"),
    NOT_IN_RANKING("not_in_ranking", "absent from the parent's kids list, so it has no rank (HN)"),
    OVER_MAX_COMMENTS("over_max_comments", "beyond the --max-comments-per-post highest-scored comments"),
    // -- candidate pairs
    TIE("tie", "equal scores: no preference"),
    PREFERRED_NOT_LATER("preferred_not_later", "the higher-scored reply was not written later (early-comment advantage)"),
    RATIO_BELOW_MIN("ratio_below_min", "score ratio below --min-score-ratio"),
    OVER_MAX_PAIRS("over_max_pairs", "beyond --max-pairs-per-post for its thread"),
    DUPLICATE_PAIR("duplicate_pair", "identical prompt, chosen and rejected already written"),
    IDENTICAL_RESPONSES("identical_responses", "chosen and rejected are the same text"),
    NO_SHARED_PROMPT("no_shared_prompt", "chosen and rejected do not share a prompt ending in an Assistant turn"),
    DIFFERS_BEFORE_LAST_TURN("differs_before_last_turn", "the transcripts differ before their final Assistant turn");

    private final String key;
    private final String description;

    SkipReason(String key, String description) {
        this.key = key;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
