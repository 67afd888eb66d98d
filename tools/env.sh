# Sourced by tools/test.sh and docs/build.sh: offline switches, and every cache inside the work tree.
export HUGTWEETS_OFFLINE=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
# Tiny models gain nothing from threads, and nbdev-test runs two notebooks at once on two cores.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export WANDB_MODE=offline WANDB_SILENT=true MPLBACKEND=Agg NO_MKDOCS_2_WARNING=1 TOKENIZERS_PARALLELISM=false
root="$(pwd)"
export HUGTWEETS_CACHE="${HUGTWEETS_CACHE:-$root/.cache/hugtweets}" HF_HOME="${HF_HOME:-$root/.cache/hf}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-$root/.cache/mpl}" WANDB_DIR="${WANDB_DIR:-$root/.cache/wandb}"
export WANDB_CACHE_DIR="${WANDB_CACHE_DIR:-$root/.cache/wandb-cache}" WANDB_CONFIG_DIR="${WANDB_CONFIG_DIR:-$root/.cache/wandb-config}"
export WANDB_DATA_DIR="${WANDB_DATA_DIR:-$root/.cache/wandb-data}"
mkdir -p "$HUGTWEETS_CACHE" "$HF_HOME" "$MPLCONFIGDIR" "$WANDB_DIR" "$WANDB_CACHE_DIR" "$WANDB_CONFIG_DIR" "$WANDB_DATA_DIR"
