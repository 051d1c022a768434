#!/usr/bin/env bash
# Assembles the Kotlin Jupyter kernel into target/jupyter (kernel jars + kernel.json + logback.xml) and prints the
# JUPYTER_PATH to export. Idempotent. Usually run through ../../scripts/install-kernel.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mvn -B -q ${MAVEN_ARGS:-} package
cp kernel.json logback.xml target/jupyter/kernels/kotlin/
mkdir -p target/jupyter/kernels/kotlin/home
echo "JUPYTER_PATH=$PWD/target/jupyter"
