#!/usr/bin/env bash
# Installs the Kotlin Jupyter kernel for Plaudit's notebooks, idempotently, without touching ~/.jupyter or ~/.m2's
# Plaudit artifacts:
#   1. assembles the kernel (tools/kotlin-kernel) into tools/kotlin-kernel/target/jupyter, a JUPYTER_PATH folder;
#   2. builds the project jars (mvn package, no tests) when the sources are newer than the dsl jar;
#   3. writes the `%use plaudit` descriptor: the dsl jar and its runtime classpath as absolute paths, so the kernel
#      resolves nothing itself (kernel home: kernels/kotlin/home, set as user.home in kernel.json).
# The last line of stdout is JUPYTER_PATH=<folder>; export it before `jupyter nbconvert` or `jupyter lab`:
#   export "$(scripts/install-kernel.sh | tail -n1)"
# Extra Maven options (e.g. -o) go in MAVEN_ARGS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JUPYTER_DIR="$ROOT/tools/kotlin-kernel/target/jupyter"
KERNEL_HOME="$JUPYTER_DIR/kernels/kotlin/home"

bash tools/kotlin-kernel/install.sh >/dev/null

DSL_JAR="$ROOT/dsl/target/plaudit-dsl-0.1.0-SNAPSHOT.jar"
CP_FILE="$ROOT/dsl/target/runtime.cp"
if [[ ! -f "$DSL_JAR" || ! -f "$CP_FILE" || -n "$(find kernel/src/main dsl/src/main pom.xml kernel/pom.xml dsl/pom.xml \
      -newer "$DSL_JAR" -type f -print -quit)" ]]; then
  echo "install-kernel: building the Plaudit jars (mvn package, tests skipped)..." >&2
  # one reactor run, so that the dsl's classpath names this build's kernel jar (not one installed in ~/.m2)
  mvn -B -q ${MAVEN_ARGS:-} -DskipTests package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.cp >&2
  touch "$DSL_JAR" # an unchanged jar is not rewritten; mark it current so the next call skips the build
fi

mkdir -p "$KERNEL_HOME/.jupyter_kotlin/libraries"
{
  printf '{"description":"Plaudit (local build: %s)","dependencies":[' "$ROOT"
  { echo "$DSL_JAR"; tr ':' '\n' < "$CP_FILE"; } | grep -v '^$' | sed 's/[\\"]/\\&/g; s/.*/"&"/' | paste -sd, -
  printf ']}\n'
} > "$KERNEL_HOME/.jupyter_kotlin/libraries/plaudit.json"

echo "JUPYTER_PATH=$JUPYTER_DIR"
