package plaudit.dsl

/**
 * The sizes of a run of seconds: a small synthetic forum, a one-layer model and a few steps per stage, with PPO samples
 * at every step. Each test adds its own reward and runner. Public, so that a notebook cell in NotebookReplTest (which
 * imports `plaudit.dsl.*`, as `%use plaudit` does) can call it too.
 */
fun ExperimentBuilder.tinySizes() {
    syntheticForum { threads = 120 }
    tokenizer { vocabSize = 300 }
    model { nLayer = 1; nHead = 2; nEmbd = 16; blockSize = 64 }
    pretrain { steps = 3; batchSize = 4 }
    sft { steps = 3; batchSize = 4 }
    rewardModel { steps = 3; batchSize = 4 }
    ppo { steps = 3; batchSize = 4; miniBatchSize = 2; epochs = 1; responseLength = 8; sampleEvery = 1 }
    evaluation { prompts = 4; bestOfN(1, 2); bestOfNPrompts = 2 }
    seed = 3
}
