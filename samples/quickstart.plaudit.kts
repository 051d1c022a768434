// Plaudit quickstart: RLHF from upvotes on the synthetic forum, at the tiny scale (1–2 minutes on a laptop CPU).
// Run with:  bin/plaudit run samples/quickstart.plaudit.kts
// Plaudit's DSL, reward functions and Tablesaw are imported already.

val concise = reward("concise") { _, response ->
    val words = response.split(' ').count { it.isNotBlank() }
    if (words in 10..40) 0.2 else 0.0    // a small bonus inside the length gold prefers
}

val result = plaudit {
    syntheticForum { threads = 500 }
    tokenizer { vocabSize = 512 }
    model { nLayer = 2; nHead = 2; nEmbd = 64; blockSize = 128 }
    pretrain { steps = 120 }
    sft { steps = 60 }
    rewardModel { steps = 80 }
    ppo { steps = 16; batchSize = 16; miniBatchSize = 8; lr = 1e-4; responseLength = 32; klCoef = 0.1; adaptiveKl(target = 4.0, horizon = 128.0); sharedTrunk = true; sampleEvery = 4 }
    evaluation { bestOfN(1, 2, 4, 8); bestOfNPrompts = 16 }
    reward { rm -> rm + concise }
    runner = local("target/runs/quickstart")
}

println(result.summary().print())
println(Tables.readable(result.metrics("ppo").selectColumns("step", "objective/scores", "objective/kl", "objective/gold", "kl_coef")).print())
println(Tables.readable(result.ppoSamples().last(3)).printAll())
println("plots and checkpoints: ${result.out()}")
