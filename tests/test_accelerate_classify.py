"`hugtweets classify train` under `accelerate launch` with 2 processes (CPU, gloo): one model, trained by both with fastai's `distrib_ctx`."
import subprocess, sys
from pathlib import Path
from conftest import cli_env

def test_classify_train_with_two_processes(tmp_path):
    from hugtweets.tiny import tiny_bert
    from hugtweets.learner import learnable_sample
    df = learnable_sample(64, labels=("authentic", "fake"), seed=3)
    df.to_csv(tmp_path/"train.csv", index=False)
    base = tiny_bert(df.text.tolist(), ["authentic", "fake"], path=tmp_path/"base")
    accelerate = Path(sys.executable).parent/"accelerate"
    cmd = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision", "no",
           "--dynamo_backend", "no", "--main_process_port", "0", "-m", "hugtweets.cli",
           "classify", "train", tmp_path/"train.csv", "--model", base, "--out", "clf", "--epochs", "1", "--lr", "3e-3"]
    proc = subprocess.run([str(c) for c in cmd], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env=cli_env(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS=1))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [l for l in proc.stdout.splitlines() if l.startswith("valid_loss\t")] != [], proc.stdout
    assert len([l for l in proc.stdout.splitlines() if l.startswith("out\t")]) == 1, proc.stdout   # only the main process reports
    assert "processes\t2" in proc.stdout, proc.stdout              # both processes trained the one model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "clf", "train.csv"]   # one model, no temporary folders
    from hugtweets.learner import predict_texts
    assert len(predict_texts(tmp_path/"clf", ["fakeful the fakely", "authness"])) == 2
