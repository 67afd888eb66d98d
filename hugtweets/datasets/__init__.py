"Loaders for the lessons' datasets. Each lesson notebook exports its own submodule; this file re-exports them."
from .iula import load_iula
from .banfakenews import load_banfakenews
