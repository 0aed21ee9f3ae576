# Sourced by setup.sh and test-rust.sh: the NVRTC that the CUDA kernels' compile test uses
# (NVIDIA's pip wheel, no GPU or toolkit needed), and where setup.sh --test puts it.
NVRTC_VERSION=13.5.37
NVRTC_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/dlp/nvidia-cuda-nvrtc-$NVRTC_VERSION"
NVRTC_LIB_DIR="$NVRTC_HOME/nvidia/cu13/lib"
