"""Every kind of job a worker can run: importing a module registers its kinds
(`jobs.runner.kind`)."""

from reports import packs, warm  # noqa: F401
