/**
 * Upvote data to preference comparisons: the first stage of Plaudit.
 *
 * <h2>Pipeline</h2>
 * {@link plaudit.data.PairsJob} reads input files with a {@link plaudit.data.source.SourceReader} (streaming,
 * constant memory), screens each record with the single-record rules as it arrives
 * ({@link plaudit.data.ComparisonBuilder#screen}, {@link plaudit.data.ComparisonBuilder#admit}), groups posts and
 * comments into threads with {@link plaudit.data.ThreadJoiner} (any order, any number of files; spills to disk past a
 * memory budget), pairs each thread's comments ({@link plaudit.data.ComparisonBuilder#thread}) and hands out
 * {@link plaudit.data.Comparison}s with their split. Every record that does not end up in a comparison is counted in
 * {@link plaudit.data.DataStats} under a {@link plaudit.data.SkipReason}, with the first few file:line places.
 * {@code plaudit pairs} is the command-line front end.
 *
 * <h2>Sources</h2>
 * <ul>
 * <li>Pushshift Reddit dumps ({@link plaudit.data.source.PushshiftReader}): RS_/RC_ NDJSON, plain, .zst (decoded
 *     with a 2 GiB window, as Pushshift compressed them) or .gz; schema drift across years handled.</li>
 * <li>Stanford Human Preferences ({@link plaudit.data.source.ShpReader}): ready comparisons with scores and times.</li>
 * <li>Stack Exchange Posts.xml ({@link plaudit.data.source.StackExchangeReader}): questions and scored answers.</li>
 * <li>Hacker News API items ({@link plaudit.data.source.HackerNewsReader}). <b>HN comments have no score</b>: the
 *     order of a story's {@code kids} is HN's ranking, so HN yields <b>rank-based</b> pairs. A comment's score is minus
 *     its display position (-1 is the top comment) and the score ratio is the ratio of positions; the minimum comment
 *     score does not apply. Only top-level comments can be paired: an item carries no story id.</li>
 * <li>Chosen/rejected JSONL such as HH-RLHF ({@link plaudit.data.source.ChosenRejectedReader}): the shared prefix up to
 *     the last shared "Assistant:" becomes the prompt.</li>
 * <li>Any CSV or JSONL with a column mapping ({@link plaudit.data.source.MappedReader}).</li>
 * </ul>
 *
 * <h2>Rules (defaults from SHP, Ethayarajh et al. 2022; each switchable, see {@link plaudit.data.PairRules})</h2>
 * <table>
 * <tr><th>rule</th><th>default</th><th>why</th></tr>
 * <tr><td>same post, top-level comments</td><td>on</td><td>both replies answer the same prompt</td></tr>
 * <tr><td>preferred written later</td><td>on</td><td>an earlier comment gathers votes from visibility alone; a later
 *     one that still scores higher is preferred for its content (same second allowed)</td></tr>
 * <tr><td>score ratio</td><td>&ge; 2</td><td>small score differences are vote noise</td></tr>
 * <tr><td>post score</td><td>&ge; 10</td><td>little-seen threads have too few votes to rank replies</td></tr>
 * <tr><td>comment score</td><td>&ge; 2</td><td>upvoted by someone besides the author</td></tr>
 * <tr><td>comments per post</td><td>&le; 50, highest-scored</td><td>thread sizes are Pareto-distributed and pairs grow
 *     quadratically</td></tr>
 * <tr><td>pairs per post</td><td>&le; 10, seeded sample</td><td>big threads must not dominate; a sample keeps the
 *     ratio distribution unbiased</td></tr>
 * <tr><td>deleted/removed text, deleted authors, bots, the post's author, NSFW/edited/link/removed posts</td><td>dropped</td>
 *     <td>no usable text, automated text, or a prompt that is not what the replies answered</td></tr>
 * <tr><td>token limits</td><td>off</td><td>optional, in a {@link plaudit.text.Tokenizer}'s tokens or whitespace words</td></tr>
 * <tr><td>de-duplication</td><td>on</td><td>copies of a comment in a thread, and a comparison read twice</td></tr>
 * <tr><td>split by thread</td><td>90/5/5, seed 0</td><td>a hash of the thread id: no thread in two splits, same
 *     assignment in every run and from every source</td></tr>
 * <tr><td>margin</td><td>off</td><td>log(score_chosen / score_rejected), for reward-model margin losses</td></tr>
 * </table>
 *
 * <h2>Prompts</h2>
 * One template per source in {@link plaudit.data.PromptFormat}, reused by SFT, the reward model and PPO; responses
 * start with a space.
 */
package plaudit.data;
