"""Every kind of job a worker can run: importing a module registers its kinds
(`jobs.runner.kind`)."""

from indicators.opendata import policeuk_upload  # noqa: F401
from indicators.returns import jobs  # noqa: F401
from reports import packs, warm  # noqa: F401
