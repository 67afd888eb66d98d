"`userdata.get` without Colab's Secrets panel: the value of the environment variable of the same name."
import os

class SecretNotFoundError(Exception): pass

def get(key: str) -> str:
    if key not in os.environ: raise SecretNotFoundError(f"Secret {key} does not exist.")
    return os.environ[key]
