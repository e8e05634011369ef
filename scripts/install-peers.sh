#!/usr/bin/env bash
# Installs the benchmark peers from Debian's packages (run as root, or with sudo):
#   fasttext              the fastText binary (text classification peer)
#   python3-torch         PyTorch for /usr/bin/python3 (text and MLP peers)
#   python3-numpy         numpy for /usr/bin/python3 (PyTorch's data loading, SGEMM peer)
#   dataset-fashion-mnist /usr/share/datasets/fashion-mnist (MLP benchmark data)
# The benchmarks run without them and say which peer is "not installed".
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y fasttext python3-torch python3-numpy dataset-fashion-mnist
